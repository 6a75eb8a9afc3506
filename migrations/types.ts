import type { Db } from 'mongodb';

/**
 * One migration. `up` must be idempotent: two instances starting together may both run it
 * before either records it (FerretDB has no transactions to prevent that).
 */
export interface Migration {
  /** Sortable and unique: `NNNN-what-it-does`. */
  name: string;
  up(db: Db): Promise<void>;
}
