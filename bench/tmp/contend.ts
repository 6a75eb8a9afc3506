import { MongoClient, ObjectId } from 'mongodb';
import { provisionDatabase } from '../../src/store/provision.js';
import { GroupWriter } from '../../src/store/group-writer.js';
const db0 = await provisionDatabase({ dataDir: '/tmp/st8/contend-' + Date.now() });
const c = new MongoClient(db0.uri + '/x', { maxPoolSize: 32 });
const db = c.db('x');
const names = ['a', 'b', 'c', 'd', 'e'];
for (const n of names) await db.collection(n).insertOne({ _id: 'init' as any });
async function run(label: string, ncoll: number, grouped: boolean) {
  const writers = names.map((n) => new GroupWriter(db.collection(n) as any));
  let done = 0; const t0 = Date.now(); const lat: number[] = [];
  await Promise.all(Array.from({ length: 32 }, async () => {
    while (Date.now() - t0 < 3000) {
      const s = Date.now();
      for (let i = 0; i < ncoll; i++) {
        const doc = { _id: new ObjectId(), pad: 'x'.repeat(300) };
        if (grouped) await writers[i]!.insert(doc as any); else await db.collection(names[i]!).insertOne(doc);
      }
      lat.push(Date.now() - s); done++;
    }
  }));
  lat.sort((a, b) => a - b);
  console.log(label, (done / ((Date.now() - t0) / 1000)).toFixed(0), '/s p50', lat[lat.length >> 1], 'p99', lat[Math.floor(lat.length * 0.99)]);
}
await run('1 coll direct', 1, false);
await run('1 coll grouped', 1, true);
await run('5 coll direct', 5, false);
await run('5 coll grouped', 5, true);
await c.close(); await db0.stop();
