/**
 * Lets one write at a time go to the database from this process, across collections.
 *
 * Why: SQLite (under FerretDB) has one writer per database file. Concurrent writes to different
 * collections do not run in parallel there; they collide on its lock, and the losers sleep in
 * SQLite's busy handler (milliseconds each, idle CPU). Measured with 32 senders writing to five
 * collections through group writers: 608 → 959 five-write sequences/s with the gate (bench/).
 * Writes waiting here keep gathering into their group writer's next batch, so the gate costs a
 * queue, not throughput; on MongoDB it is a small latency price for one code path.
 */
export class WriteGate {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(write: () => Promise<T>): Promise<T> {
    const result = this.tail.then(write, write);
    this.tail = result.catch(() => {});
    return result;
  }
}

const gates = new WeakMap<object, WriteGate>();

/**
 * The gate of one connection pool: every store on it shares it, whether it holds the mongoose
 * Connection, the driver's Db or the MongoClient (all three lead to the one client).
 */
export function writeGateOf(pool: object): WriteGate {
  const key = clientOf(pool);
  let gate = gates.get(key);
  if (!gate) gates.set(key, (gate = new WriteGate()));
  return gate;
}

function clientOf(pool: object): object {
  const p = pool as { getClient?: () => object | undefined; client?: object };
  if (typeof p.getClient === 'function') return p.getClient() ?? pool;
  if (p.client && typeof p.client === 'object') return p.client;
  return pool;
}
