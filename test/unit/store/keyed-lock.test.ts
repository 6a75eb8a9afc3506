import { describe, expect, it } from 'vitest';
import { KeyedLock } from '../../../src/store/keyed-lock.js';

describe('KeyedLock marks: has anything held this key since?', () => {
  it('nothing between two tasks on a key: unchanged; another task between them: changed', async () => {
    const lock = new KeyedLock();
    const mark = await lock.run('a', async () => lock.mark('a'));
    await lock.run('b', async () => undefined); // other keys do not count
    expect(await lock.run('a', async () => lock.unchangedSince('a', mark))).toBe(true);
    const again = await lock.run('a', async () => lock.mark('a'));
    await lock.run('a', async () => undefined); // e.g. a claim
    expect(await lock.run('a', async () => lock.unchangedSince('a', again))).toBe(false);
  });
});
