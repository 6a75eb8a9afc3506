/**
 * An upper bound on how long a sender waits for its answer. A database that is frozen (stopped,
 * swapped out, a network partition that drops packets) does not refuse connections: without a
 * bound the request would hang until the driver's monitor gives the server up (tens of seconds)
 * or forever. After the deadline the sender gets 503 + Retry-After and retries; the work itself
 * goes on, so a write that lands late becomes a repeat of the retried alert, never a loss.
 */
export const INGEST_DEADLINE_MS = 10_000;

export class DeadlineExceeded extends Error {
  override readonly name = 'DeadlineExceeded';
  constructor(ms: number) {
    super(`no answer from the database within ${ms / 1000} s`);
  }
}

export async function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, fail) => {
    timer = setTimeout(() => fail(new DeadlineExceeded(ms)), ms);
  });
  // The work may still fail after the deadline: that is seen (and logged) by nobody, on purpose.
  work.catch(() => {});
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Like withDeadline, but the time runs from the last sign of progress: `work` calls `progress()`
 * each time it gets something done (an event of a batch applied). A frozen database makes none,
 * so the sender hears 503 after `ms` as before; a batch of 1,000 alerts that is being applied
 * event after event on a busy machine is not cut off half-way because it needs longer than `ms`
 * in all (issue 18: Alertmanager would retry the whole batch, and again, for as long as it does).
 */
export async function withIdleDeadline<T>(work: (progress: () => void) => Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let fail: (err: Error) => void = () => {};
  const late = new Promise<never>((_, reject) => (fail = reject));
  const arm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => fail(new DeadlineExceeded(ms)), ms);
  };
  arm();
  const running = work(arm);
  running.catch(() => {});
  try {
    return await Promise.race([running, late]);
  } finally {
    clearTimeout(timer);
  }
}
