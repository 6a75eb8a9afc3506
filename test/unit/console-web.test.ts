import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { WEB_DIR } from '../../src/console/console.js';

const files = readdirSync(WEB_DIR).map((name) => ({ name, text: readFileSync(join(WEB_DIR, name), 'utf8') }));

describe('what the browser downloads (web/)', () => {
  it('is at most 200 kB of compressed JavaScript', () => {
    const js = files.filter((f) => f.name.endsWith('.js'));
    const gzipped = js.reduce((n, f) => n + gzipSync(f.text).length, 0);
    expect(gzipped).toBeLessThan(200 * 1024);
  });

  it('loads nothing from outside dutybot (air-gapped intranets): no absolute URL in any file', () => {
    // The SVG namespace is a name, not something fetched.
    const urls = /\bhttps?:\/\/[^\s'"`)]+|(?:src|href)=["']\/\/[^'"]+|url\(\s*["']?(?:https?:)?\/\/[^)]+/gi;
    const outside = files.flatMap((f) => [...f.text.matchAll(urls)].map((m) => `${f.name}: ${m[0]}`)).filter((s) => !s.includes('www.w3.org/2000/svg'));
    expect(outside).toEqual([]);
  });

  it('never turns data into markup: no innerHTML, outerHTML, insertAdjacentHTML or document.write', () => {
    const risky = files.filter((f) => /\b(innerHTML|outerHTML|insertAdjacentHTML|document\.write)\b/.test(f.text)).map((f) => f.name);
    expect(risky).toEqual([]);
  });
});
