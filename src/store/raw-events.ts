import { Types } from 'mongoose';
import { GroupWriter } from './group-writer.js';
import { writeGateOf } from './write-gate.js';
import type { Models, RawEventDoc } from './models.js';

/**
 * The raw copy of every accepted request body, for audit and replay. Written once and never
 * updated: the alerts a copy led to point back at it from their timeline (`rawEventId`). An update
 * here would cost a scan of the collection on FerretDB (decision 0004).
 */
export class RawEventStore {
  private readonly writer: GroupWriter<RawEventDoc>;

  constructor(private readonly m: Models) {
    this.writer = new GroupWriter(m.RawEvent.collection as never, 500, writeGateOf(m.RawEvent.db));
  }

  /** Stored before anything is applied: the first thing that makes an event durable. */
  async accept(doc: Omit<RawEventDoc, '_id'>, _id = new Types.ObjectId()): Promise<Types.ObjectId> {
    await this.writer.insert({ ...doc, _id });
    return _id;
  }

  /** After a failed attempt the sender retries: the copy of the attempt would count it twice. */
  async forget(id: Types.ObjectId): Promise<void> {
    await this.m.RawEvent.collection.deleteOne({ _id: id });
  }
}
