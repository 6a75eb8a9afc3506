import { writeGateOf } from './write-gate.js';
import type { Db } from 'mongodb';

/**
 * Remembers which inbound chat deliveries were handled, so a platform's redelivery (Slack retries,
 * DingTalk callbacks not acknowledged in time) never repeats an action. The check is a unique
 * `_id` insert: atomic on MongoDB and on FerretDB alike, and across processes.
 */
export class Deliveries {
  constructor(private readonly db: Db) {}

  /** True the first time an id is seen; false for every redelivery. */
  async first(platform: string, deliveryId: string, at: Date): Promise<boolean> {
    try {
      await this.db.collection<{ _id: string; at: Date }>('deliveries').insertOne({ _id: `${platform}:${deliveryId}`, at });
      return true;
    } catch (err) {
      if ((err as { code?: number }).code === 11000) return false;
      throw err;
    }
  }

  async prune(before: Date): Promise<number> {
    return writeGateOf(this.db).deleteMatching(this.db.collection('deliveries'), { at: { $lt: before } });
  }
}
