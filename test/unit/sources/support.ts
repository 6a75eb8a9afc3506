import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { PayloadError } from '../../../src/sources/types.js';

/** A payload from `src/sources/<tool>/fixtures/<name>`, parsed as the HTTP layer would. */
export function fixture(tool: 'alertmanager' | 'grafana' | 'zabbix' | 'graylog', name: string): unknown {
  return JSON.parse(readFileSync(new URL(`../../../src/sources/${tool}/fixtures/${name}`, import.meta.url), 'utf8'));
}

/** Runs `fn`, expects a PayloadError and returns its `field`. */
export function payloadErrorField(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(PayloadError);
    return (err as PayloadError).field;
  }
  throw new Error('expected a PayloadError, nothing was thrown');
}
