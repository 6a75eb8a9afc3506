import { describe, expect, it, vi } from 'vitest';
import { DeadlineExceeded, withDeadline, withIdleDeadline } from '../../src/http/deadline.js';
import { BulkWriteFailure } from '../../src/store/write-gate.js';
import { classifyError } from '../../src/http/errors.js';

/** What a sender hears when the database cannot take its event: 503 + Retry-After, never 500. */
describe('database trouble is a 503 with Retry-After', () => {
  const bulk = (message: string) => Object.assign(new Error(message), { name: 'MongoBulkWriteError', code: 1, writeErrors: [] });

  it('a full disk (FerretDB/SQLite inside a bulk write, or MongoDB) → 503', () => {
    for (const err of [
      bulk('[msg_insert.go:168 handler.(*Handler).MsgInsert] [db.go:167 fsql.(*DB).InTransaction] database or disk is full (13)'),
      bulk('write failed: No space left on device'),
    ]) {
      expect(classifyError(err)).toMatchObject({ status: 503, headers: { 'Retry-After': '10' }, reason: 'unavailable' });
    }
  });

  it('a database that does not answer within the deadline → 503', async () => {
    const never = new Promise<never>(() => {});
    const err = await withDeadline(never, 10).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeadlineExceeded);
    expect(classifyError(err)).toMatchObject({ status: 503, body: { error: 'database unavailable, retry later' } });
  });

  it('a big batch that keeps being applied is not cut off; one that stops is, 10 s after its last event', async () => {
    vi.useFakeTimers();
    try {
      const busy = withIdleDeadline(async (progress) => {
        for (let i = 0; i < 30; i++) {
          await new Promise((r) => setTimeout(r, 1000)); // one event a second: 30 s in all
          progress();
        }
        return 'stored';
      }, 10_000);
      await vi.advanceTimersByTimeAsync(31_000);
      expect(await busy).toBe('stored');

      const stuck = withIdleDeadline(async (progress) => {
        await new Promise((r) => setTimeout(r, 5000));
        progress();
        return new Promise<never>(() => {}); // the database froze after the first event
      }, 10_000).catch((e: unknown) => e);
      await vi.advanceTimersByTimeAsync(14_999);
      await vi.advanceTimersByTimeAsync(1);
      expect(await stuck).toBeInstanceOf(DeadlineExceeded);
    } finally {
      vi.useRealTimers();
    }
  });

  it('an outage inside a bulk write through the write gate → 503, not 500', () => {
    const outage = Object.assign(new Error('connection 3 to 127.0.0.1:27017 closed'), { name: 'MongoNetworkError' });
    expect(classifyError(new BulkWriteFailure([{ index: 0, errmsg: outage.message, error: outage }], 0, outage)).status).toBe(503);
  });

  it('mongoose giving up on a connection that is not back → 503', () => {
    const err = Object.assign(new Error('Operation `alerts.findOne()` buffering timed out after 10000ms'), { name: 'MongooseError' });
    expect(classifyError(err).status).toBe(503);
  });

  it('a duplicate key is not an outage', () => {
    expect(classifyError(Object.assign(new Error('E11000 duplicate key'), { name: 'MongoServerError', code: 11000 })).status).toBe(500);
  });
});
