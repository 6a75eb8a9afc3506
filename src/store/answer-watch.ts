import { MongoClient, MongoServerError } from 'mongodb';

/**
 * Asks the database a question every `everyMs` and says when it has not answered for
 * `silentAfterMs`: a server that is alive but answers nothing (a deadlock inside it, SIGSTOP, a
 * hang) looks healthy to anything that watches only its process (docs/decisions/0018).
 *
 * The question is a lookup by `_id` in dutybot's own database (`migrations`, which every dutybot
 * database has): FerretDB keeps a pool of SQLite connections per database, so only a read that
 * needs one of that database's connections hangs when that pool does; a `ping` is answered
 * without touching SQLite at all. One question is in flight at a time: a hung server gets no pile
 * of them.
 */
export interface AnswerWatchOptions {
  uri: string;
  database: string;
  everyMs: number;
  silentAfterMs: number;
  /** Called once per silence, with how long the database has not answered and what was asked. */
  onSilent(silentMs: number, asked: string): void;
}

export class AnswerWatch {
  private readonly client: MongoClient;
  private timer: NodeJS.Timeout | undefined;
  private lastAnswerAt = Date.now();
  private inFlight = false;
  private reported = false;

  constructor(private readonly o: AnswerWatchOptions) {
    this.client = new MongoClient(o.uri, { directConnection: true, serverSelectionTimeoutMS: Math.min(5000, o.silentAfterMs), maxPoolSize: 2 });
  }

  start(): void {
    this.lastAnswerAt = Date.now();
    this.reported = false;
    this.timer = setInterval(() => this.tick(), this.o.everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    void this.client.close(true).catch(() => {});
  }

  private tick(): void {
    const silentMs = Date.now() - this.lastAnswerAt;
    if (silentMs >= this.o.silentAfterMs && !this.reported) {
      this.reported = true;
      this.o.onSilent(silentMs, `findOne({_id}) on ${this.o.database}.migrations`);
      return;
    }
    if (this.inFlight) return;
    this.inFlight = true;
    this.client
      .db(this.o.database)
      .collection<{ _id: string }>('migrations')
      .findOne({ _id: 'answer-watch' })
      .then(
        () => {
          this.lastAnswerAt = Date.now();
        },
        (err: unknown) => {
          // An error the server sent back is an answer (a full disk is not a hang); a timeout or
          // a connection that never completes is not.
          if (err instanceof MongoServerError) this.lastAnswerAt = Date.now();
        },
      )
      .finally(() => (this.inFlight = false));
  }
}
