import { Types } from 'mongoose';
import type { Connection, Model } from 'mongoose';
import { Schema } from 'mongoose';
import { pool } from '../core/pool.js';
import { GroupWriter } from './group-writer.js';
import { writeGateOf } from './write-gate.js';

/**
 * One record per posted (or to-be-posted) chat message: an alert's card in one channel, or a
 * channel's summary card. Written only by the card sender (src/bot/card-sync.ts), so a record
 * never has two writers.
 */
export interface CardDoc {
  _id: string;
  kind: 'alert' | 'summary';
  /** The alert, for `kind: 'alert'`. */
  alertId?: Types.ObjectId;
  platform: string;
  channel: string;
  /**
   * `posting`: about to be posted (if a crash leaves it so, the next start posts it);
   * `posted`: on the platform as `messageId`; `folded`: shown inside a summary card;
   * `failed`: the platform refused it for good (reason in `lastError`).
   */
  state: 'posting' | 'posted' | 'folded' | 'failed';
  messageId?: string;
  /** The alert `rev` the platform shows now (0 before the first post). */
  renderedRev: number;
  /** For a folded alert: its summary's id. For a summary: the alerts it stands for. */
  summaryId?: string;
  alertIds?: Types.ObjectId[];
  /** A summary stays open (receives new folded alerts) until all of its alerts are resolved. */
  closed?: boolean;
  createdAt: Date;
  updatedAt: Date;
  lastError?: string;
  /**
   * Channels that cannot edit (decision 0012). An alert's card: the state people were last shown
   * (`stateSummary().key`: by the card itself or a follow-up). A summary: the alerts that a sent
   * message named or counted, and when the last one went out.
   */
  shownKey?: string;
  announcedIds?: Types.ObjectId[];
  announcedAt?: Date;
  /**
   * Channels whose cards are edited: the escalation @-mentions already sent as messages of their
   * own, `<run token>:<member id>` (src/bot/mention-delivery.ts).
   */
  mentioned?: string[];
}

const cardSchema = new Schema<CardDoc>(
  {
    _id: String,
    kind: { type: String, required: true },
    alertId: Schema.Types.ObjectId,
    platform: { type: String, required: true },
    channel: { type: String, required: true },
    state: { type: String, required: true },
    messageId: String,
    renderedRev: { type: Number, default: 0 },
    summaryId: String,
    alertIds: [Schema.Types.ObjectId],
    closed: Boolean,
    createdAt: Date,
    updatedAt: Date,
    lastError: String,
    shownKey: String,
    announcedIds: { type: [Schema.Types.ObjectId], default: undefined },
    announcedAt: Date,
    mentioned: { type: [String], default: undefined },
  },
  { versionKey: false, autoIndex: false, autoCreate: false, collection: 'cards' },
);

export const cardId = (alertId: string, platform: string, channel: string): string => `a|${alertId}|${platform}|${channel}`;

/** Reads by `_id` in flight at once when many cards are read (FerretDB uses its index only for `{_id}`). */
const READ_LANES = 16;

export class CardStore {
  readonly Card: Model<CardDoc>;
  /**
   * Saves go through one group writer, behind the database's write gate: the records of a
   * folded backlog (hundreds at once) cost one round trip, and never collide with ingestion's.
   */
  private readonly writer: GroupWriter<CardDoc>;
  constructor(conn: Connection) {
    this.Card = (conn.models.Card as Model<CardDoc> | undefined) ?? conn.model<CardDoc>('Card', cardSchema);
    this.writer = new GroupWriter(this.Card.collection as never, 500, writeGateOf(conn));
  }

  get(id: string): Promise<CardDoc | null> {
    return this.Card.findById(id).lean() as Promise<CardDoc | null>;
  }

  /** The records that exist among `ids`, each read by its `_id` (an `$in` would scan on FerretDB). */
  async getMany(ids: readonly string[]): Promise<Map<string, CardDoc>> {
    const found = new Map<string, CardDoc>();
    await pool(ids, READ_LANES, async (id) => {
      const doc = await this.get(id);
      if (doc) found.set(id, doc);
    });
    return found;
  }

  save(doc: CardDoc): Promise<void> {
    return this.writer.write({ replaceOne: { filter: { _id: doc._id }, replacement: stripUndefined(doc), upsert: true } } as never);
  }

  /**
   * New records, in as few round trips as the group writer makes. Returns the ids that already
   * had a record (left as they were): the unique `_id` answers "is there one?" without a read.
   */
  async insertNew(docs: readonly CardDoc[]): Promise<Set<string>> {
    const existing = new Set<string>();
    await Promise.all(
      docs.map((d) =>
        this.writer.write({ insertOne: { document: stripUndefined(d) } } as never).catch((err: { code?: number }) => {
          if (err?.code !== 11000) throw err;
          existing.add(d._id);
        }),
      ),
    );
    return existing;
  }

  forAlert(alertId: string): Promise<CardDoc[]> {
    return this.Card.find({ alertId: new Types.ObjectId(alertId) }).lean() as Promise<CardDoc[]>;
  }

  openSummary(platform: string, channel: string): Promise<CardDoc | null> {
    return this.Card.findOne({ kind: 'summary', platform, channel, closed: false }).sort({ createdAt: -1 }).lean() as Promise<CardDoc | null>;
  }

  /** Cards a crash may have left half-done, or that never reached their alert's latest rev. */
  unfinished(): Promise<CardDoc[]> {
    return this.Card.find({ state: 'posting' }).lean() as Promise<CardDoc[]>;
  }
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
