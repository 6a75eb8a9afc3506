import type { Request, Response } from 'express';
import { view } from '../http/alert-routes.js';
import type { AlertEvent, AlertEvents } from '../events.js';

/** A comment line this often keeps proxies from closing a quiet stream. */
const KEEPALIVE_MS = 25_000;
/**
 * A browser that stopped reading (a phone asleep on a stalled connection) must not make the
 * server buffer every event for ever: past this much unsent, its stream is ended; EventSource
 * reconnects when it can, and the page reloads its data then.
 */
const MAX_BUFFERED = 1 << 20;

/**
 * Server-sent events: every alert change, from whichever door (REST, chat, console, the engine),
 * goes to every open console as it is emitted. SSE rather than WebSocket: one direction is all the
 * console needs, it is plain HTTP (proxies, CSP `connect-src 'self'`), and the browser reconnects
 * by itself — after which the page reloads its list, so nothing missed while away stays missing.
 */
export class LiveStreams {
  private readonly open = new Set<Response>();
  /** The session (hash of its cookie) each stream belongs to: signing out ends that session's streams. */
  private readonly sessionOf = new Map<Response, string>();
  private closed = false;

  constructor(events: AlertEvents) {
    events.subscribe(this.onEvent);
  }

  readonly handle = (req: Request, res: Response): void => {
    const session = res.locals.sessionId as string | undefined;
    if (this.closed) return void res.status(503).set('Retry-After', '2').end();
    res.status(200).set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      // nginx would otherwise buffer the stream and the console would not be live behind it.
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    res.write('retry: 2000\n: connected\n\n');
    this.open.add(res);
    if (session) this.sessionOf.set(res, session);
    const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS).unref();
    req.on('close', () => {
      clearInterval(keepalive);
      this.open.delete(res);
      this.sessionOf.delete(res);
    });
  };

  /** Ends the streams of one session (it signed out or expired). */
  closeSession(sessionId: string): void {
    for (const [res, s] of this.sessionOf) if (s === sessionId) this.end(res);
  }

  private end(res: Response): void {
    res.end();
    this.open.delete(res);
    this.sessionOf.delete(res);
  }

  /** Ends every stream, and refuses new ones: the HTTP server cannot close while a stream holds its connection. */
  closeAll(): void {
    this.closed = true;
    for (const res of [...this.open]) this.end(res);
  }

  get size(): number {
    return this.open.size;
  }

  private readonly onEvent = (e: AlertEvent): void => {
    if (this.open.size === 0) return;
    const data = JSON.stringify({ type: e.type, alert: view(e.alert), entry: e.entry });
    // One line of JSON: SSE ends a field at a newline, and JSON.stringify escapes those inside strings.
    for (const res of [...this.open]) {
      if (res.writableLength > MAX_BUFFERED) this.end(res);
      else res.write(`event: alert\ndata: ${data}\n\n`);
    }
  };
}
