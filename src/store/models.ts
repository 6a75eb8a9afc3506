import { Schema, type Connection, type Model, type Types } from 'mongoose';
import type { Alert, TimelineEntry } from '../core/alert.js';
import { SEVERITIES, SOURCE_TYPES } from '../core/types.js';

/**
 * Mongoose schemas. Indexes are declared in migrations/, not here (autoIndex is off), so there is
 * one place that says what exists in the database.
 *
 * FerretDB 1.24 limits shape these documents (../shared/FERRETDB.md): labels are name/value pairs,
 * raw payloads are strings, and "one open alert per dedup key" is the unique `_id` of a slot
 * document (`dedupslots`) instead of a partial index.
 */
export interface AlertDoc extends Omit<Alert, 'id'> {
  _id: Types.ObjectId;
}

/** The open alert of a dedup key: `_id` is `<integration>:<dedupKey>`; removed when it resolves. */
export interface DedupSlotDoc {
  _id: string;
  alertId: Types.ObjectId;
}

/** Short id → alert: `_id` is the short id as a string ("12"). */
export interface AlertRefDoc {
  _id: string;
  alertId: Types.ObjectId;
}

export interface TimelineDoc extends Omit<TimelineEntry, 'alertId' | 'rawEventId'> {
  _id: Types.ObjectId;
  alertId: Types.ObjectId;
  rawEventId?: Types.ObjectId;
}

/**
 * One alert's timeline: `_id` is the alert's id, entries in the order they were written. Read and
 * written by `_id` alone (decision 0006); replaces the `timeline` collection of one row per entry,
 * which could only be read by a scan on FerretDB (migration 0003 moves those rows here).
 */
export interface AlertTimelineDoc {
  _id: Types.ObjectId;
  entries: Array<Omit<TimelineDoc, '_id' | 'alertId'>>;
}

export interface RawEventDoc {
  _id: Types.ObjectId;
  receivedAt: Date;
  integration: string;
  source: string;
  /** The body exactly as received: a string, because payload keys may contain `.` and `$`. */
  body: string;
}

export interface CounterDoc {
  _id: string;
  seq: number;
}

export interface MigrationDoc {
  _id: string;
  appliedAt: Date;
}

const opts = { versionKey: false, autoIndex: false, autoCreate: false } as const;

const actorSchema = new Schema(
  { kind: String, memberId: String, name: String, via: String, channel: String },
  { _id: false },
);

const alertSchema = new Schema<AlertDoc>(
  {
    shortId: { type: Number, required: true },
    integration: { type: String, required: true },
    source: { type: String, enum: SOURCE_TYPES, required: true },
    application: { type: String, required: true },
    team: { type: String, required: true },
    dedupKey: { type: String, required: true },
    state: { type: String, enum: ['triggered', 'acknowledged', 'resolved'], required: true },
    version: { type: Number, required: true },
    title: { type: String, required: true },
    severity: { type: String, enum: SEVERITIES, required: true },
    description: String,
    host: String,
    service: String,
    labels: [{ _id: false, name: String, value: String }],
    links: [{ _id: false, text: String, href: String }],
    count: { type: Number, required: true },
    firstSeenAt: { type: Date, required: true },
    lastSeenAt: { type: Date, required: true },
    owner: { type: new Schema({ memberId: String, name: String, at: Date, via: String }, { _id: false }) },
    claimedAt: Date,
    resolvedAt: Date,
    resolvedBy: actorSchema,
    escalationLevel: { type: Number, default: 0 },
    mutedUntil: Date,
    rev: { type: Number, default: 1 },
    route: Schema.Types.Mixed,
    escalatedTeams: [String],
    escalation: Schema.Types.Mixed,
    secondsToClaim: Number,
    secondsToResolve: Number,
    sourceStartedAt: Date,
    sourceEndedAt: Date,
    maintenance: { type: new Schema({ windowId: String, until: Date, since: Date }, { _id: false }) },
    remediation: Schema.Types.Mixed,
    assignee: { type: new Schema({ memberId: String, name: String, at: Date, how: String }, { _id: false }) },
  },
  { ...opts, collection: 'alerts' },
);

const timelineSchema = new Schema<TimelineDoc>(
  {
    alertId: { type: Schema.Types.ObjectId, required: true },
    at: { type: Date, required: true },
    kind: { type: String, required: true },
    actor: actorSchema,
    rawEventId: Schema.Types.ObjectId,
    text: String,
  },
  { ...opts, collection: 'timeline' },
);

const alertTimelineSchema = new Schema<AlertTimelineDoc>(
  { _id: Schema.Types.ObjectId, entries: [{ _id: false, at: Date, kind: String, actor: actorSchema, rawEventId: Schema.Types.ObjectId, text: String }] },
  { ...opts, collection: 'timelines' },
);

const rawEventSchema = new Schema<RawEventDoc>(
  {
    receivedAt: { type: Date, required: true },
    integration: { type: String, required: true },
    source: { type: String, required: true },
    body: { type: String, required: true },
  },
  { ...opts, collection: 'rawevents' },
);

const dedupSlotSchema = new Schema<DedupSlotDoc>({ _id: String, alertId: Schema.Types.ObjectId }, { ...opts, collection: 'dedupslots' });
const alertRefSchema = new Schema<AlertRefDoc>({ _id: String, alertId: Schema.Types.ObjectId }, { ...opts, collection: 'alertrefs' });
const counterSchema = new Schema<CounterDoc>({ _id: String, seq: Number }, { ...opts, collection: 'counters' });
const migrationSchema = new Schema<MigrationDoc>({ _id: String, appliedAt: Date }, { ...opts, collection: 'migrations' });

export interface Models {
  Alert: Model<AlertDoc>;
  /** Resolved alerts moved out of `alerts` a day after they resolved (src/store/alert-archive.ts). */
  ArchivedAlert: Model<AlertDoc>;
  AlertTimeline: Model<AlertTimelineDoc>;
  /** The `timeline` collection before migration 0003 (one document per entry); read only by it. */
  Timeline: Model<TimelineDoc>;
  RawEvent: Model<RawEventDoc>;
  DedupSlot: Model<DedupSlotDoc>;
  AlertRef: Model<AlertRefDoc>;
  Counter: Model<CounterDoc>;
  Migration: Model<MigrationDoc>;
}

export function registerModels(conn: Connection): Models {
  return {
    Alert: conn.model<AlertDoc>('Alert', alertSchema),
    ArchivedAlert: conn.model<AlertDoc>('ArchivedAlert', alertSchema.clone().set('collection', 'alertarchive')),
    AlertTimeline: conn.model<AlertTimelineDoc>('AlertTimeline', alertTimelineSchema),
    Timeline: conn.model<TimelineDoc>('Timeline', timelineSchema),
    RawEvent: conn.model<RawEventDoc>('RawEvent', rawEventSchema),
    DedupSlot: conn.model<DedupSlotDoc>('DedupSlot', dedupSlotSchema),
    AlertRef: conn.model<AlertRefDoc>('AlertRef', alertRefSchema),
    Counter: conn.model<CounterDoc>('Counter', counterSchema),
    Migration: conn.model<MigrationDoc>('Migration', migrationSchema),
  };
}
