import type { Alert } from '../core/alert.js';
import type { AlertStore } from '../store/alerts.js';

/** What an alert's lock is keyed on (AlertStore.withLock): known when armed, read otherwise. */
export type LockRef = Pick<Alert, 'integration' | 'dedupKey'>;

/** Only the lock's key: all that an armed step keeps of its alert. */
export function lockRef(a: LockRef): LockRef {
  return { integration: a.integration, dedupKey: a.dedupKey };
}

/** Runs `task` holding the lock of every alert (each alert's writes stay serialised). */
export async function withAlertLocks(store: Pick<AlertStore, 'withLock'>, alerts: LockRef[], task: () => Promise<void>): Promise<void> {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  // One lock per key: an alert resolved and a new one opened on its key share it.
  const keys = new Map(alerts.map((a) => [`${a.integration}\u0000${a.dedupKey}`, a]));
  const held = [...keys.values()].map((a) => new Promise<void>((ok) => void store.withLock(a, () => (ok(), released))));
  await Promise.all(held);
  try {
    await task();
  } finally {
    release();
  }
}
