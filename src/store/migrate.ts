import type { Db } from 'mongodb';
import { migrations as all, type Migration } from '../../migrations/index.js';
import type { Logger } from '../log.js';

/**
 * A minimal migration runner: applies, in order, each migration not yet recorded in the
 * `migrations` collection. Why not migrate-mongo: see docs/decisions/0002-migrations.md.
 */
export async function migrate(db: Db, log?: Logger, list: readonly Migration[] = all): Promise<string[]> {
  const col = db.collection<{ _id: string; appliedAt: Date }>('migrations');
  const done = new Set((await col.find({}, { projection: { _id: 1 } }).toArray()).map((d) => d._id));
  const applied: string[] = [];
  for (const m of list) {
    if (done.has(m.name)) continue;
    log?.info({ migration: m.name }, 'applying migration');
    await m.up(db);
    await col.updateOne({ _id: m.name }, { $setOnInsert: { appliedAt: new Date() } }, { upsert: true });
    applied.push(m.name);
  }
  return applied;
}

/** True when every known migration is recorded (for /readyz). */
export async function migrationsApplied(db: Db, list: readonly Migration[] = all): Promise<boolean> {
  const n = await db.collection('migrations').countDocuments({ _id: { $in: list.map((m) => m.name) } as never });
  return n === list.length;
}
