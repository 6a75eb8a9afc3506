/**
 * Runs tasks with the same key one after another, in arrival order, within this process.
 *
 * Why: FerretDB 1.24 implements findAndModify as "query, change in Go, write the whole document
 * back" with no isolation (internal/handler/msg_findandmodify.go at v1.24.2), so two concurrent
 * `$inc`s lose one and two compare-and-sets can both win. Serialising writes to one alert here
 * makes a single dutybot correct on FerretDB; on MongoDB the same atomic updates also hold across
 * several dutybot processes. See docs/decisions/0003-atomic-updates-on-ferretdb.md.
 */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<unknown>>();
  /** Tasks started per key (bounded: forgetting only makes `unchangedSince` answer false). */
  private readonly starts = new Map<string, number>();
  private epoch = 0;

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const counted = (): Promise<T> => {
      if (this.starts.size >= MAX_COUNTED_KEYS) {
        this.starts.clear();
        this.epoch++;
      }
      this.starts.set(key, (this.starts.get(key) ?? 0) + 1);
      return task();
    };
    const result = previous.then(counted, counted);
    const tail = result.catch(() => {});
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Called inside a task: a mark that `unchangedSince` compares with later. */
  mark(key: string): string {
    return `${this.epoch}:${this.starts.get(key) ?? 0}`;
  }

  /**
   * Called inside a task: true when exactly one task (this one) started on `key` since the task
   * that took `mark` — nothing else held the key in between, so nothing in this process wrote it.
   */
  unchangedSince(key: string, mark: string): boolean {
    return mark === `${this.epoch}:${(this.starts.get(key) ?? 0) - 1}`;
  }
}

const MAX_COUNTED_KEYS = 100_000;
