import type { Collection, Db } from 'mongodb';
import { writeGateOf, type WriteGate } from './write-gate.js';

export type ConsoleRole = 'admin' | 'member';

/**
 * A sign-in link not used yet. `_id` is the SHA-256 of the token: a copy of the database does not
 * let anyone sign in, and redeeming is one `findOneAndDelete({_id})` (cheap on FerretDB, and
 * single-use because only one caller gets the deleted document back).
 */
export interface ConsoleLinkDoc {
  _id: string;
  role: ConsoleRole;
  memberId?: string;
  createdAt: Date;
  expiresAt: Date;
}

/** A signed-in browser. `_id` is the SHA-256 of the cookie's value, for the same reason. */
export interface ConsoleSessionDoc {
  _id: string;
  role: ConsoleRole;
  memberId?: string;
  /** The CSRF token every state-changing request must carry in a header (bound to this session). */
  csrf: string;
  createdAt: Date;
  expiresAt: Date;
}

/**
 * The console's sign-ins (src/console/auth.ts). Every read and write is by `_id`; expired rows are
 * deleted when they are presented, and all of them whenever a link is made (`prune`), so the
 * collections hold about as many rows as live browsers.
 */
export class ConsoleAuthStore {
  private readonly links: Collection<ConsoleLinkDoc>;
  private readonly sessions: Collection<ConsoleSessionDoc>;
  private readonly gate: WriteGate;

  constructor(db: Db) {
    this.links = db.collection<ConsoleLinkDoc>('consolelinks');
    this.sessions = db.collection<ConsoleSessionDoc>('consolesessions');
    this.gate = writeGateOf(db);
  }

  async addLink(doc: ConsoleLinkDoc): Promise<void> {
    await this.gate.run(() => this.links.insertOne(doc));
  }

  /** Removes the link and returns it: of two browsers presenting the same link, one gets it. */
  async takeLink(id: string): Promise<ConsoleLinkDoc | null> {
    return this.gate.run(() => this.links.findOneAndDelete({ _id: id }));
  }

  async addSession(doc: ConsoleSessionDoc): Promise<void> {
    await this.gate.run(() => this.sessions.insertOne(doc));
  }

  async session(id: string): Promise<ConsoleSessionDoc | null> {
    return this.sessions.findOne({ _id: id });
  }

  async removeSession(id: string): Promise<void> {
    await this.gate.run(() => this.sessions.deleteOne({ _id: id }));
  }

  /**
   * Deletes links and sessions expired before `now`. A filter on a date scans the collection on
   * FerretDB (decision 0004); both hold about as many rows as there are people signed in.
   */
  async prune(now: Date): Promise<number> {
    const a = await this.gate.deleteMatching(this.links, { expiresAt: { $lt: now } });
    const b = await this.gate.deleteMatching(this.sessions, { expiresAt: { $lt: now } });
    return a + b;
  }
}
