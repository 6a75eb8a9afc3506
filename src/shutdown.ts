import type { Logger } from './log.js';

/**
 * SIGTERM / SIGINT: the first one stops dutybot gracefully (`stop`, then exit 0); a second one, or
 * `forceAfterMs` without the stop finishing, exits at once with code 1. Whatever a forced exit
 * cuts off is in the database and is picked up at the next start (cards: decision 0005).
 */
export interface ShutdownOptions {
  stop: () => Promise<void>;
  log: Logger;
  forceAfterMs?: number;
  /** Tests pass their own; production exits the process. */
  exit?: (code: number) => void;
}

export const FORCE_STOP_AFTER_MS = 30_000;

export function stopOnSignals(opts: ShutdownOptions): { begin(reason: string, code?: number): Promise<void> } {
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  let stopping = false;
  const begin = async (reason: string, code = 0): Promise<void> => {
    if (stopping) {
      opts.log.warn({ reason }, 'stopping now, without waiting');
      return exit(1);
    }
    stopping = true;
    opts.log.info({ reason }, 'stopping: no new requests; finishing those in flight');
    const force = setTimeout(() => {
      opts.log.error({ afterMs: opts.forceAfterMs ?? FORCE_STOP_AFTER_MS }, 'graceful stop took too long; exiting');
      exit(1);
    }, opts.forceAfterMs ?? FORCE_STOP_AFTER_MS);
    force.unref();
    try {
      await opts.stop();
      opts.log.info('stopped');
    } catch (err) {
      opts.log.error({ err }, 'error while stopping');
      code = code || 1;
    }
    clearTimeout(force);
    exit(code);
  };
  process.on('SIGINT', () => void begin('SIGINT'));
  process.on('SIGTERM', () => void begin('SIGTERM'));
  return { begin };
}
