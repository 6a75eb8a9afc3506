import type { Migration } from './types.js';

/** Analytics facts (src/store/analytics-facts.ts) are read by period; weekly reports by `_id` only. */
export const analytics: Migration = {
  name: '0006-analytics',
  async up(db) {
    await db.collection('analyticsfacts').createIndexes([
      { key: { openedAt: 1 }, name: 'openedAt' },
      { key: { teams: 1, openedAt: 1 }, name: 'teams_openedAt' },
    ]);
  },
};
