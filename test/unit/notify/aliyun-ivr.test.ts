import { describe, expect, it } from 'vitest';
import type { Member } from '../../../src/config/schema.js';
import { IVR_OUT_ID_BYTES, IvrOutIds } from '../../../src/notify/providers/aliyun-ivr.js';

const members = [{ id: 'zhang', name: '张三' }, { id: 'li', name: '李四' }, { id: 'wang', name: '王五' }] as Member[];

describe('the OutId of an Aliyun interactive call', () => {
  const ids = new IvrOutIds('link-secret-0123456789abcdef');

  it.each([1, 35, 36, 1234, 99_999, 2_000_000_000, 36 ** 8 - 1])('short id %i: 15 bytes that name the alert and the member', (shortId) => {
    for (const m of members) {
      const out = ids.make(shortId, m.id);
      expect(Buffer.byteLength(out)).toBe(IVR_OUT_ID_BYTES);
      expect(ids.read(out, members)).toEqual({ shortId, member: m });
    }
  });

  it('another secret, a changed character, another shape or an unknown member is not ours', () => {
    const out = ids.make(42, 'li');
    expect(new IvrOutIds('another-secret-0123456789').read(out, members)).toBeNull();
    const flipped = out.slice(0, -1) + (out.endsWith('0') ? '1' : '0');
    expect(ids.read(flipped, members)).toBeNull();
    expect(ids.read(out.replace(/^2/, '3'), members)).toBeNull();
    expect(ids.read(out, members.filter((m) => m.id !== 'li'))).toBeNull();
    for (const bad of [undefined, 42, '', 'x'.repeat(15), out + '0', out.toUpperCase()]) expect(ids.read(bad, members)).toBeNull();
    expect(() => ids.make(36 ** 8, 'li')).toThrow(/too long/);
  });
});
