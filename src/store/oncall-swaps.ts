import { randomBytes } from 'node:crypto';
import type { Collection, Db } from 'mongodb';
import { KeyedLock } from './keyed-lock.js';

export interface SwapSpan {
  from: Date;
  to: Date;
}

export type SwapState = 'asked' | 'accepted' | 'declined';

/**
 * One swap request (`oncallswaps`, `_id` = its short id, the only way it is looked up: FerretDB
 * pushes down nothing else). `asker` gives `askerShift` to `other` and takes `otherShift`.
 */
export interface SwapDoc {
  _id: string;
  scheduleId: string;
  asker: string;
  other: string;
  askerShift: SwapSpan;
  otherShift: SwapSpan;
  state: SwapState;
  createdAt: Date;
  expiresAt: Date;
  via?: string;
  channel?: string;
  answeredAt?: Date;
  answeredVia?: string;
  answeredChannel?: string;
  /** The question card asking `other` (Accept / Decline), where the platform shows one. */
  card?: { platform: string; channel: string; messageId: string };
}

export class OnCallSwapStore {
  readonly col: Collection<SwapDoc>;
  private readonly lock = new KeyedLock();

  constructor(db: Db) {
    this.col = db.collection<SwapDoc>('oncallswaps');
  }

  async create(doc: Omit<SwapDoc, '_id' | 'state'>): Promise<SwapDoc> {
    // Six hex characters are typed by hand in `swap accept <id>`; a clash is retried with another.
    for (let i = 0; ; i++) {
      const row: SwapDoc = { _id: randomBytes(3).toString('hex'), state: 'asked', ...doc };
      try {
        await this.col.insertOne(row);
        return row;
      } catch (err) {
        if ((err as { code?: number }).code !== 11000 || i >= 4) throw err;
      }
    }
  }

  /** Remembers the question card posted for the request, to rewrite it once answered. */
  async setCard(id: string, card: NonNullable<SwapDoc['card']>): Promise<void> {
    await this.col.updateOne({ _id: id }, { $set: { card } });
  }

  async get(id: string): Promise<SwapDoc | null> {
    return this.col.findOne({ _id: id });
  }

  /**
   * Answers a request once: `apply` runs (the overrides are written) only while it is still asked,
   * and the state is set after it. Serialised per id in this process; a crash between the two
   * leaves the overrides written and the request asked, and accepting again writes the same pair
   * (identical spans, so the timeline is the same).
   */
  async answer(id: string, state: Exclude<SwapState, 'asked'>, where: { via?: string; channel?: string }, now: Date, apply: (doc: SwapDoc) => Promise<void>): Promise<SwapDoc | null> {
    return this.lock.run(id, async () => {
      const doc = await this.col.findOne({ _id: id });
      if (!doc || doc.state !== 'asked') return null;
      await apply(doc);
      const set = { state, answeredAt: now, ...(where.via ? { answeredVia: where.via } : {}), ...(where.channel ? { answeredChannel: where.channel } : {}) };
      await this.col.updateOne({ _id: id }, { $set: set });
      return { ...doc, ...set };
    });
  }
}
