import type { z } from 'zod';
import { PayloadError } from './types.js';

/** `['alerts', 0, 'labels']` → `alerts[0].labels` */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

/** Validates `body` against a zod schema; the first problem becomes a PayloadError naming its field. */
export function parseWith<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new PayloadError(formatPath(issue.path), issue.message);
}
