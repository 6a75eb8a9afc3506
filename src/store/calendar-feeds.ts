import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { Collection, Db } from 'mongodb';
import type { FeedSubject } from '../core/oncall-feed.js';
import { KeyedLock } from './keyed-lock.js';

/**
 * Secret calendar-feed tokens (issue 20). Every lookup is by `_id` (FerretDB pushes nothing else
 * down), in one small collection:
 *
 * - `subject:<kind>:<id>`: the subject's current `generation` and who last reset it, from where;
 * - `token:<sha256 of the token>`: which subject and generation a token opens. The token itself is
 *   never stored: it is derived, HMAC(key, kind|id|generation), so `oncall` can show the same URL
 *   again, and a reset (generation + 1) changes it;
 * - `key`: a random key, used only when the config has no `notify.linkSecret` (with one, nothing
 *   in the database rebuilds a token).
 *
 * A token works only while its generation is the subject's current one, so a reset stops the old
 * URL at once even if deleting its `token:` document failed.
 */
interface FeedDoc {
  _id: string;
  kind?: FeedSubject['kind'];
  subject?: string;
  generation?: number;
  key?: string;
  createdAt?: Date;
  resetAt?: Date;
  resetBy?: string;
  resetVia?: string;
}

export interface FeedReset {
  by: string;
  /** `rest`, `slack`, `dingtalk`, `wechat`. */
  via: string;
}

const hash = (token: string): string => createHash('sha256').update(token).digest('hex');
const subjectId = (s: FeedSubject): string => `subject:${s.kind}:${s.id}`;

export class CalendarFeedStore {
  readonly col: Collection<FeedDoc>;
  private readonly lock = new KeyedLock();
  private key?: Buffer;

  constructor(
    db: Db,
    private readonly linkSecret: string | undefined,
  ) {
    this.col = db.collection<FeedDoc>('calendarfeeds');
  }

  /** The subject's current token; its `token:` document is written on first use. */
  async tokenFor(subject: FeedSubject, now: Date): Promise<string> {
    const generation = (await this.col.findOne({ _id: subjectId(subject) }))?.generation ?? 0;
    const token = await this.derive(subject, generation);
    const id = `token:${hash(token)}`;
    if (!(await this.col.findOne({ _id: id }))) {
      await this.col.insertOne({ _id: id, kind: subject.kind, subject: subject.id, generation, createdAt: now }).catch(ignoreDuplicate);
    }
    return token;
  }

  /** The subject a token opens, or null (unknown, malformed, or reset since). */
  async resolve(token: string): Promise<FeedSubject | null> {
    if (!/^[A-Za-z0-9_-]{20,64}$/.test(token)) return null;
    const doc = await this.col.findOne({ _id: `token:${hash(token)}` });
    if (!doc?.kind || !doc.subject) return null;
    const subject: FeedSubject = { kind: doc.kind, id: doc.subject };
    const current = (await this.col.findOne({ _id: subjectId(subject) }))?.generation ?? 0;
    return current === doc.generation ? subject : null;
  }

  /** A new token for the subject; the old one stops working now. */
  async reset(subject: FeedSubject, who: FeedReset, now: Date): Promise<string> {
    return this.lock.run(subjectId(subject), async () => {
      const before = (await this.col.findOne({ _id: subjectId(subject) }))?.generation ?? 0;
      const old = await this.derive(subject, before);
      await this.col.updateOne(
        { _id: subjectId(subject) },
        { $set: { generation: before + 1, resetAt: now, resetBy: who.by, resetVia: who.via } },
        { upsert: true },
      );
      // Tidying only: the generation check above already refuses the old token.
      await this.col.deleteOne({ _id: `token:${hash(old)}` }).catch(() => {});
      return this.tokenFor(subject, now);
    });
  }

  private async derive(subject: FeedSubject, generation: number): Promise<string> {
    const key = await this.hmacKey();
    return createHmac('sha256', key).update(`${subject.kind}|${subject.id}|${generation}`).digest().subarray(0, 24).toString('base64url');
  }

  private async hmacKey(): Promise<Buffer> {
    if (this.key) return this.key;
    if (this.linkSecret) {
      // A key of its own purpose, as the action links do (src/notify/links.ts).
      this.key = createHash('sha256').update(`dutybot calendar feed\0${this.linkSecret}`).digest();
      return this.key;
    }
    await this.col.insertOne({ _id: 'key', key: randomBytes(32).toString('base64') }).catch(ignoreDuplicate);
    const stored = (await this.col.findOne({ _id: 'key' }))?.key;
    if (!stored) throw new Error('calendar feed key missing');
    this.key = Buffer.from(stored, 'base64');
    return this.key;
  }
}

function ignoreDuplicate(err: unknown): void {
  if ((err as { code?: number })?.code !== 11000) throw err;
}
