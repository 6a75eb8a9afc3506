/**
 * Durations as written in the config: `30s`, `5m`, `1h30m`, `2d`, `1w`, `500ms`. Chat commands
 * take the looser bilingual form (src/bot/durations.ts); the config wants one exact spelling.
 */
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const PART = /(\d+)(ms|s|m|h|d|w)/y;

/** Milliseconds, or null when the text is not of that form. */
export function parseConfigDuration(text: string): number | null {
  if (!/^(\d+(ms|s|m|h|d|w))+$/.test(text)) return null;
  let total = 0;
  PART.lastIndex = 0;
  for (let m = PART.exec(text); m; m = PART.exec(text)) total += Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
  return total;
}
