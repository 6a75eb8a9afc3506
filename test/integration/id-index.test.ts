import { afterAll, describe, expect, it } from 'vitest';
import { idLookupPlan, usesIndex } from '../support/id-plan.js';
import { KEYS, startTestBot, type TestBot } from '../support/bot.js';

/**
 * Every lookup by `_id` is an index search, in every collection dutybot writes (decision 0006).
 * On the embedded FerretDB this is what keeps updates by `_id` flat as history grows: without the
 * patched build, SQLite scans the whole table for each of them.
 */
describe('a lookup by _id uses the index in every collection', () => {
  let bot: TestBot;
  afterAll(() => bot?.stop());

  it('alerts, slots, short ids, timelines, raw events and cards are all searched, never scanned', async () => {
    bot = await startTestBot();
    for (const key of ['disk-1', 'disk-2']) {
      const res = await bot.post('/api/v1/events', { eventType: 'trigger', dedupKey: key, title: `Disk full ${key}`, severity: 'critical' }, KEYS.api);
      expect(res.status).toBe(202);
    }
    const db = bot.runtime.database.db;
    const collections = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
    expect(collections).toEqual(expect.arrayContaining(['alerts', 'dedupslots', 'alertrefs', 'rawevents']));

    const checked: string[] = [];
    for (const name of collections) {
      const any = await db.collection(name).findOne({});
      if (!any) continue;
      const plan = await idLookupPlan(db.collection(name), any._id);
      expect({ name, plan, index: usesIndex(plan) }).toMatchObject({ name, index: true });
      checked.push(`${name}:${typeof any._id === 'string' ? 'string' : 'ObjectId'}`);
    }
    // Both kinds of `_id` we use: ObjectIds (alerts) and strings (slots, short ids).
    expect(checked).toEqual(expect.arrayContaining(['alerts:ObjectId', 'timelines:ObjectId', 'dedupslots:string', 'alertrefs:string']));
  });
});
