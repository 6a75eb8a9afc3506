import type { Request, Response } from 'express';
import { view } from '../http/alert-routes.js';
import type { AlertEvent, AlertEvents } from '../events.js';

/** A comment line this often keeps proxies from closing a quiet stream. */
const KEEPALIVE_MS = 25_000;

/**
 * Server-sent events: every alert change, from whichever door (REST, chat, console, the engine),
 * goes to every open console as it is emitted. SSE rather than WebSocket: one direction is all the
 * console needs, it is plain HTTP (proxies, CSP `connect-src 'self'`), and the browser reconnects
 * by itself — after which the page reloads its list, so nothing missed while away stays missing.
 */
export class LiveStreams {
  private readonly open = new Set<Response>();
  private closed = false;

  constructor(events: AlertEvents) {
    events.subscribe(this.onEvent);
  }

  readonly handle = (req: Request, res: Response): void => {
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
    const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS).unref();
    req.on('close', () => {
      clearInterval(keepalive);
      this.open.delete(res);
    });
  };

  /** Ends every stream, and refuses new ones: the HTTP server cannot close while a stream holds its connection. */
  closeAll(): void {
    this.closed = true;
    for (const res of this.open) res.end();
    this.open.clear();
  }

  get size(): number {
    return this.open.size;
  }

  private readonly onEvent = (e: AlertEvent): void => {
    if (this.open.size === 0) return;
    const data = JSON.stringify({ type: e.type, alert: view(e.alert), entry: e.entry });
    // One line of JSON: SSE ends a field at a newline, and JSON.stringify escapes those inside strings.
    for (const res of this.open) res.write(`event: alert\ndata: ${data}\n\n`);
  };
}
