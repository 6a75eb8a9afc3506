import type { Collection, Db } from 'mongodb';
import { writeGateOf, type WriteGate } from './write-gate.js';

/**
 * One document per configured heartbeat, `_id` = its name: every read and write is by `_id`
 * (FerretDB: decision 0004), and the collection holds as many documents as the config has
 * heartbeats. The due time is stored, so a restart neither loses nor repeats a check.
 */
export interface HeartbeatDoc {
  _id: string;
  /** `up`: waiting for the next ping; `down`: missed, its alert is open until the next ping. */
  state: 'up' | 'down';
  /** When the check fires if no ping comes first. */
  dueAt: Date;
  lastPingAt?: Date;
  /** When dutybot began watching it (the "since" of a heartbeat that never pinged). */
  watchingSince: Date;
  /** When it was found missing (state `down`). */
  downAt?: Date;
  pausedUntil?: Date;
  pausedBy?: string;
}

export class HeartbeatStore {
  private readonly c: Collection<HeartbeatDoc>;
  /** Writes take their turn at SQLite's one writer with the rest (a burst of pings collided on its lock). */
  private readonly gate: WriteGate;
  constructor(db: Db) {
    this.c = db.collection<HeartbeatDoc>('heartbeats');
    this.gate = writeGateOf(db);
  }

  async all(): Promise<HeartbeatDoc[]> {
    return this.c.find({}).limit(100_000).toArray();
  }

  async get(name: string): Promise<HeartbeatDoc | null> {
    return this.c.findOne({ _id: name });
  }

  async insert(doc: HeartbeatDoc): Promise<void> {
    try {
      await this.gate.run(() => this.c.insertOne(doc));
    } catch (err) {
      // Another process inserted it first; theirs is as good as ours.
      if ((err as { code?: number }).code !== 11000) throw err;
    }
  }

  async set(name: string, set: Partial<Omit<HeartbeatDoc, '_id'>>, unset: Array<keyof HeartbeatDoc> = []): Promise<void> {
    const update: Record<string, unknown> = { $set: set };
    if (unset.length) update.$unset = Object.fromEntries(unset.map((k) => [k, 1]));
    await this.gate.run(() => this.c.updateOne({ _id: name }, update));
  }
}
