import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * What a provider fake can be told to do to the next requests instead of answering normally:
 * `throttle` (the provider's own rate-limit answer), `permanent` (a bad number / template answer),
 * `http500`, or `hangup` (the connection closes with no answer, as after a timeout: the caller
 * cannot know whether the provider acted).
 */
export type FakeFailure = 'throttle' | 'permanent' | 'http500' | 'hangup';

export interface FakeAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** Answer only after this long (a slow receiver). */
  delayMs?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** What the fake answered (undefined for a hang-up). */
  status?: number;
  answer?: unknown;
  /** The signature check's verdict. */
  signatureOk: boolean;
}

/** A small HTTP server on 127.0.0.1 shared by the SMS/voice/webhook fakes. */
export abstract class HttpFake {
  readonly requests: RecordedRequest[] = [];
  protected readonly failures: FakeFailure[] = [];
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  origin = '';

  async start(): Promise<this> {
    const server = createServer((req, res) => void this.serve(req, res));
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
    this.server = server;
    this.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((ok) => this.server?.close(() => ok()) ?? ok());
  }

  /** The next `times` requests fail this way. */
  fail(kind: FakeFailure, times = 1): void {
    for (let i = 0; i < times; i++) this.failures.push(kind);
  }

  /** Requests that passed the signature check and were answered with success. */
  accepted(): RecordedRequest[] {
    return this.requests.filter((r) => r.signatureOk && r.status !== undefined && r.status < 300 && this.succeeded(r));
  }

  /** Whether an answered request counts as accepted (providers answer errors with 200 too). */
  protected succeeded(_r: RecordedRequest): boolean {
    return true;
  }

  protected abstract verify(req: IncomingMessage, body: string): string | null;
  protected abstract answer(req: IncomingMessage, body: string, failure: FakeFailure | undefined): FakeAnswer;
  /** The answer to a request whose signature is wrong. */
  protected abstract badSignature(reason: string): FakeAnswer;

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const rec: RecordedRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, signatureOk: false };
    this.requests.push(rec);
    const problem = this.verify(req, body);
    let a: FakeAnswer;
    if (problem) {
      a = this.badSignature(problem);
    } else {
      rec.signatureOk = true;
      const failure = this.failures.shift();
      if (failure === 'hangup') {
        req.socket.destroy();
        return;
      }
      a = failure === 'http500' ? { status: 500, body: { message: 'internal error (fake)' } } : this.answer(req, body, failure);
    }
    if (a.delayMs) await new Promise((ok) => setTimeout(ok, a.delayMs).unref());
    if (res.destroyed || res.socket?.destroyed) return;
    rec.status = a.status;
    rec.answer = a.body;
    const text = typeof a.body === 'string' ? a.body : JSON.stringify(a.body);
    res.writeHead(a.status, { 'content-type': typeof a.body === 'string' ? 'text/plain' : 'application/json', ...a.headers });
    res.end(text);
  }
}
