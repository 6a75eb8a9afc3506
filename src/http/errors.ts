import type { ErrorRequestHandler, Response } from 'express';
import type { Logger } from '../log.js';
import { PayloadError } from '../sources/types.js';

/** An answer we mean to give: 4xx for the caller's mistakes. `reason` labels the rejection metric. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly reason = 'bad_request',
    readonly field?: string,
  ) {
    super(message);
  }
}

/** Database unreachable, timing out, or failing over: the sender should try again shortly. */
export function isDatabaseUnavailable(err: unknown, depth = 0): boolean {
  if (!(err instanceof Error)) return false;
  if ((err as { code?: number }).code === 11000) return false;
  // A write that failed inside a bulk write through the gate carries the outage as its cause.
  if (depth < 3 && err.cause !== undefined && isDatabaseUnavailable(err.cause, depth + 1)) return true;
  return (
    err.name === 'DeadlineExceeded' ||
    /^Mongo(ose)?(Server|Network|NotConnected|PoolCleared|Topology|WriteConcern|ServerSelection)/.test(err.name) ||
    /ECONNREFUSED|ECONNRESET|topology (is closed|was destroyed)|connection .* closed|client must be connected/i.test(err.message) ||
    // A full disk reaches us inside a bulk write's error (FerretDB/SQLite: "database or disk is full").
    /disk is full|no space left on device|database is locked/i.test(err.message) ||
    // mongoose holds operations while it has no connection, then gives up with this.
    /buffering timed out/i.test(err.message)
  );
}

export const RETRY_AFTER_SECONDS = 10;

export interface ErrorAnswer {
  status: number;
  body: { error: string; field?: string };
  headers: Record<string, string>;
  /** For the rejection metric; `internal` is a bug in dutybot. */
  reason: string;
}

/**
 * What to answer for an error. Bad input never becomes a 500: body-parser's own errors and
 * PayloadError are 4xx; a database outage is 503 with Retry-After; only a bug is a 500.
 */
export function classifyError(err: unknown): ErrorAnswer {
  const answer = (status: number, error: string, reason: string, field?: string, headers: Record<string, string> = {}): ErrorAnswer => ({
    status,
    body: field !== undefined ? { error, field } : { error },
    headers,
    reason,
  });
  const e = err as { type?: string; status?: number; expose?: boolean; message?: string };
  if (err instanceof HttpError) return answer(err.status, err.message, err.reason, err.field);
  if (err instanceof PayloadError) return answer(400, err.message, 'invalid', err.field);
  if (e?.type === 'entity.too.large') return answer(413, 'body larger than 1 MiB', 'too_large');
  if (e?.type === 'entity.parse.failed') return answer(400, `malformed JSON: ${e.message}`, 'malformed');
  if (e?.expose && e.status && e.status >= 400 && e.status < 500) return answer(e.status, e.message ?? 'bad request', 'bad_request');
  if (isDatabaseUnavailable(err)) {
    return answer(503, 'database unavailable, retry later', 'unavailable', undefined, { 'Retry-After': String(RETRY_AFTER_SECONDS) });
  }
  return answer(500, 'internal error', 'internal');
}

export function sendAnswer(res: Response, a: ErrorAnswer): void {
  if (res.headersSent) return;
  res.set(a.headers).status(a.status).json(a.body);
}

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const a = classifyError(err);
    if (a.status === 500) log.error({ err, path: req.path }, 'unexpected error');
    else if (a.status === 503) log.warn({ err: (err as Error).message, path: req.path }, 'database unavailable; answered 503');
    sendAnswer(res, a);
  };
}
