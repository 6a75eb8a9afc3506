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

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.catch(() => {});
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
