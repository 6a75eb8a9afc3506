import { indexes } from './0001-indexes.js';
import { cards } from './0002-cards.js';
import { analytics } from './0006-analytics.js';
import type { Migration } from './types.js';

/** In order. Register each migration here explicitly; names are never reused. */
export const migrations: readonly Migration[] = [indexes, cards, analytics];
export type { Migration };
