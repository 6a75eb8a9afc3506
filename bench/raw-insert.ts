/**
 * The database's own ceiling, measured in the same run as dutybot's throughput: `connections`
 * clients each inserting one ~300-byte document at a time (insertOne, acknowledged), as fast as
 * they can. dutybot's events/s next to this shows how close it is to what the server takes.
 */
import { ObjectId, type Db } from 'mongodb';

export interface RawInsertResult {
  perSecond: number;
  p50: number;
  p99: number;
}

export async function measureRawInserts(db: Db, connections: number, seconds: number): Promise<RawInsertResult> {
  const col = db.collection('bench_raw_inserts');
  const latencies: number[] = [];
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < end) {
        const s = performance.now();
        await col.insertOne({ _id: new ObjectId(), at: new Date(), pad: 'x'.repeat(300) });
        latencies.push(performance.now() - s);
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  await col.drop().catch(() => {});
  latencies.sort((a, b) => a - b);
  const at = (p: number): number => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
  return { perSecond: latencies.length / elapsed, p50: at(0.5), p99: at(0.99) };
}
