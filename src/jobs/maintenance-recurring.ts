// When a recurring window (dutybot.yaml's `maintenance:`) next starts or ends.
import type { CompiledWindow } from '../core/time-window.js';

/** How far ahead a recurring window's start or end is looked for, minute by minute. */
export const SCAN_LIMIT_MS = 8 * 86_400_000;

/** The first minute from `from` at which the window stops holding (`end`) or starts holding; null beyond the scan limit. */
export function nextChange(w: CompiledWindow, from: Date, end: boolean): Date | null {
  const start = Math.floor(from.getTime() / 60_000) * 60_000 + 60_000;
  for (let t = start; t <= from.getTime() + SCAN_LIMIT_MS; t += 60_000) {
    const holds = w.holds(new Date(t));
    if (holds !== end) return new Date(t);
  }
  return null;
}
