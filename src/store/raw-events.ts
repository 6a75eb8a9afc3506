import { Types } from 'mongoose';
import { GroupWriter } from './group-writer.js';
import type { Models, RawEventDoc } from './models.js';

/** The raw copy of every accepted request body, for audit and replay. */
export class RawEventStore {
  private readonly writer: GroupWriter<RawEventDoc>;

  constructor(private readonly m: Models) {
    this.writer = new GroupWriter(m.RawEvent.collection as never);
  }

  /** Stored before anything is applied: the first thing that makes an event durable. */
  async accept(doc: Omit<RawEventDoc, '_id' | 'state' | 'alertIds'>): Promise<Types.ObjectId> {
    const _id = new Types.ObjectId();
    await this.writer.insert({ ...doc, _id, state: 'accepted', alertIds: [] });
    return _id;
  }

  async applied(id: Types.ObjectId, alertIds: string[]): Promise<void> {
    const ids = [...new Set(alertIds)].map((a) => new Types.ObjectId(a));
    await this.writer.write({ updateOne: { filter: { _id: id }, update: { $set: { state: 'applied', alertIds: ids } } } });
  }

  /** After a failed attempt the sender retries: the copy of the attempt would count it twice. */
  async forget(id: Types.ObjectId): Promise<void> {
    await this.m.RawEvent.collection.deleteOne({ _id: id });
  }
}
