import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Types } from 'mongoose';
import { GroupWriter } from '../../src/store/group-writer.js';
import { openDatabase, type Database } from '../../src/store/database.js';
import { Timelines } from '../../src/store/timelines.js';
import { writeGateOf } from '../../src/store/write-gate.js';
import { freshDatabaseUri } from '../support/bot.js';

/**
 * Group commit of many updates at once: FerretDB 1.24 never answers an `update` command of 100
 * statements or more, so the writers split them into smaller commands (src/store/group-writer.ts).
 */
describe('group commit of many updates', () => {
  let db: Database;
  beforeAll(async () => {
    db = await openDatabase(freshDatabaseUri());
  });
  afterAll(async () => db.close());

  it('250 updates by _id asked for at once are all stored', async () => {
    const col = db.db.collection<{ _id: string; n: number }>('groupwrites');
    const ids = Array.from({ length: 250 }, (_, i) => `doc-${i}`);
    await col.insertMany(ids.map((_id) => ({ _id, n: 0 })));
    const writer = new GroupWriter(col, 500, writeGateOf(db.db));
    await Promise.all(ids.map((_id) => writer.write({ updateOne: { filter: { _id }, update: { $set: { n: 1 } } } })));
    expect(await col.countDocuments({ n: 1 })).toBe(250);
  });

  it('timeline entries for 150 alerts that already have a timeline are all appended', async () => {
    const timelines = new Timelines(db.models);
    const alertIds = Array.from({ length: 150 }, () => new Types.ObjectId().toHexString());
    const at = new Date('2026-01-01T00:00:00Z');
    const actor = { kind: 'system', name: 'dutybot', via: 'test' } as const;
    await timelines.add(alertIds.map((alertId) => ({ alertId, at, kind: 'opened', actor, text: 'opened' })));
    await timelines.add(alertIds.map((alertId) => ({ alertId, at, kind: 'escalated', actor, text: 'level 1 of 1' })));
    const read = await Promise.all(alertIds.slice(0, 3).map((id) => timelines.read(id)));
    for (const entries of read) expect(entries.map((e) => e.kind)).toEqual(['opened', 'escalated']);
  });
});
