/**
 * The source's own times. A monitoring tool says when a problem started and ended; its clock may
 * be a little ahead of ours, or wrong. We keep its time when it is a valid instant no more than
 * five minutes in our future, else the time we received the event.
 */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;
/** Cards show both times only when they differ by more than this. */
export const SHOW_BOTH_AFTER_MS = 60_000;

export function sourceTime(reported: unknown, receivedAt: Date): Date {
  if (!(reported instanceof Date)) return receivedAt;
  const t = reported.getTime();
  if (!Number.isFinite(t) || t > receivedAt.getTime() + MAX_CLOCK_SKEW_MS || t < Date.UTC(1971, 0, 1)) return receivedAt;
  return reported;
}

/** True when the source's time and the receipt differ enough to show both. */
export function showsBoth(source: Date | undefined, received: Date | undefined): boolean {
  if (!source || !received) return false;
  return Math.abs(received.getTime() - source.getTime()) > SHOW_BOTH_AFTER_MS;
}
