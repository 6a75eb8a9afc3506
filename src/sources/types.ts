import type { NormalizedEvent, SourceType } from '../core/types.js';

/**
 * One monitoring tool's payload format. `parse` is pure: it validates the body the tool sent
 * and maps it through the parser's declared severity and status maps. It throws
 * {@link PayloadError} (→ 400) for anything it cannot accept.
 */
export interface SourceParser {
  readonly type: SourceType;
  parse(body: unknown): NormalizedEvent[];
}

/** Bad input from a sender. `field` is a path like `alerts[0].labels.alertname`. */
export class PayloadError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(field ? `${field}: ${message}` : message);
    this.name = 'PayloadError';
  }
}
