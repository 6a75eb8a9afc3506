import { indexes } from './0001-indexes.js';
import { cards } from './0002-cards.js';
import { heartbeatsMaintenance } from './0008-heartbeats-maintenance.js';
import type { Migration } from './types.js';

/** In order. Register each migration here explicitly; names are never reused. */
export const migrations: readonly Migration[] = [indexes, cards, heartbeatsMaintenance];
export type { Migration };
