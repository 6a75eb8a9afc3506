import { MongoClient, ObjectId } from 'mongodb';
import { provisionDatabase } from '../../src/store/provision.js';
const db0 = await provisionDatabase({ dataDir: '/tmp/st8/contend-' + Date.now() });
const c = new MongoClient(db0.uri + '/x', { maxPoolSize: 32 });
const db = c.db('x');
const names = ['a', 'b', 'c', 'd', 'e'];
for (const n of names) await db.collection(n).insertOne({ _id: 'init' as any });
// One gate: one bulk write at a time across collections.
let gate: Promise<void> = Promise.resolve();
class W { q: any[] = []; busy = false; constructor(private col: any) {}
  insert(doc: any) { return new Promise<void>((ok, fail) => { this.q.push({ doc, ok, fail }); if (!this.busy) void this.flush(); }); }
  async flush() { this.busy = true; while (this.q.length) { const b = this.q.splice(0, 500);
      const p = gate.then(() => this.col.insertMany(b.map((x: any) => x.doc), { ordered: false })); gate = p.then(() => {}, () => {});
      try { await p; b.forEach((x: any) => x.ok()); } catch (e) { b.forEach((x: any) => x.fail(e)); } }
    this.busy = false; } }
async function run(label: string, ncoll: number) {
  const writers = names.map((n) => new W(db.collection(n)));
  let done = 0; const t0 = Date.now(); const lat: number[] = [];
  await Promise.all(Array.from({ length: 32 }, async () => {
    while (Date.now() - t0 < 3000) {
      const s = Date.now();
      for (let i = 0; i < ncoll; i++) await writers[i]!.insert({ _id: new ObjectId(), pad: 'x'.repeat(300) });
      lat.push(Date.now() - s); done++;
    }
  }));
  lat.sort((a, b) => a - b);
  console.log(label, (done / ((Date.now() - t0) / 1000)).toFixed(0), '/s p50', lat[lat.length >> 1], 'p99', lat[Math.floor(lat.length * 0.99)]);
}
await run('1 coll gated', 1);
await run('5 coll gated', 5);
await c.close(); await db0.stop();
