import mongoose, { type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pruneRawEvents } from '../../src/jobs/retention.js';
import { migrate } from '../../src/store/migrate.js';
import { registerModels, type Models } from '../../src/store/models.js';
import { freshDatabaseUri } from '../support/bot.js';

/**
 * FerretDB 1.24 deletes what one `deleteMany` matched in one SQL statement with a variable per
 * document, and fails past SQLite's 32,766 ("too many SQL variables") having deleted nothing.
 * A day of a storm's raw events is more than that: retention must still empty it.
 */
const N = 33_000;

describe('retention past what one delete can take', { timeout: 300_000 }, () => {
  let conn: Connection;
  let models: Models;
  const now = new Date('2026-12-05T08:00:00Z');

  beforeAll(async () => {
    conn = await mongoose.createConnection(freshDatabaseUri(), { autoIndex: false, autoCreate: false }).asPromise();
    await migrate(conn.db!);
    models = registerModels(conn);
  });
  afterAll(async () => conn?.close());

  it(`a day of ${N.toLocaleString('en')} raw events older than the retention bound is deleted, and the newer ones stay`, async () => {
    const raw = conn.db!.collection('rawevents');
    const old = new Date(now.getTime() - 8 * 86_400_000);
    for (let i = 0; i < N; i += 500) {
      await raw.insertMany(Array.from({ length: Math.min(500, N - i) }, (_, j) => ({ receivedAt: old, integration: 'prom', body: { n: i + j } })));
    }
    await raw.insertMany([{ receivedAt: now, integration: 'prom', body: { n: -1 } }]);
    expect(await pruneRawEvents(models, { now: () => now }, 7)).toBe(N);
    expect(await raw.countDocuments({})).toBe(1);
  });
});
