import { indexes } from './0001-indexes.js';
import { cards } from './0002-cards.js';
import { timelinesAndArchive } from './0003-timelines-and-archive.js';
import { outbox } from './0005-outbox.js';
import { analytics } from './0006-analytics.js';
import { heartbeatsMaintenance } from './0008-heartbeats-maintenance.js';
import { sourceTimesInFacts } from './0010-source-times-in-facts.js';
import { outboxRefs } from './0011-outbox-refs.js';
import type { Migration } from './types.js';

/** In order. Register each migration here explicitly; names are never reused. */
export const migrations: readonly Migration[] = [indexes, cards, timelinesAndArchive, outbox, analytics, heartbeatsMaintenance, sourceTimesInFacts, outboxRefs];
export type { Migration };
