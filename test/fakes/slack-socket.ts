import { createHash, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';

/**
 * A fake Slack Socket Mode endpoint: a minimal WebSocket server (RFC 6455 text frames, ping/pong,
 * close) on 127.0.0.1. Set `fakeApi.socketUrl = socket.url` so `apps.connections.open` hands it
 * out. On connect it sends `{"type":"hello"}` as Slack does; `deliver()` sends an envelope and
 * resolves with the client's acknowledgement (matched by `envelope_id`).
 */

export type EnvelopeType = 'events_api' | 'interactive' | 'slash_commands';

export interface SocketAck {
  envelope_id: string;
  payload?: Record<string, unknown>;
}

export class FakeSlackSocket {
  /** Upgrade requests seen (path with query), i.e. connection attempts. */
  readonly connections: string[] = [];
  private readonly sockets = new Set<Duplex>();
  private readonly events = new EventEmitter();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<FakeSlackSocket> {
    const server = createServer((_req, res) => void res.writeHead(426).end());
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
    const { port } = server.address() as AddressInfo;
    const fake = new FakeSlackSocket(server, `ws://127.0.0.1:${port}/link/?ticket=fake-ticket`);
    server.on('upgrade', (req, socket) => fake.upgrade(req, socket));
    return fake;
  }

  get connected(): number {
    return this.sockets.size;
  }

  /** Sends one envelope to every connected client and waits for its ack. */
  deliver(type: EnvelopeType, payload: Record<string, unknown>, opts: { retryAttempt?: number; timeoutMs?: number } = {}): Promise<SocketAck> {
    const envelopeId = randomUUID();
    const envelope: Record<string, unknown> = { envelope_id: envelopeId, payload, type, accepts_response_payload: type !== 'events_api' };
    if (type === 'events_api') {
      envelope.retry_attempt = opts.retryAttempt ?? 0;
      envelope.retry_reason = opts.retryAttempt ? 'timeout' : '';
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.events.off('ack', onAck);
        reject(new Error(`envelope ${type} not acknowledged`));
      }, opts.timeoutMs ?? 3_000);
      const onAck = (ack: SocketAck): void => {
        if (ack.envelope_id !== envelopeId) return;
        clearTimeout(timer);
        this.events.off('ack', onAck);
        resolve(ack);
      };
      this.events.on('ack', onAck);
      for (const s of this.sockets) s.write(frame(0x1, Buffer.from(JSON.stringify(envelope))));
    });
  }

  /** Asks clients to reconnect, as Slack does before recycling a connection. */
  disconnectAll(): void {
    for (const s of this.sockets) s.write(frame(0x1, Buffer.from(JSON.stringify({ type: 'disconnect', reason: 'refresh_requested' }))));
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await new Promise<void>((ok) => this.server.close(() => ok()));
  }

  private upgrade(req: IncomingMessage, socket: Duplex): void {
    const key = req.headers['sec-websocket-key'];
    if (typeof key !== 'string') return void socket.destroy();
    const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    this.connections.push(req.url ?? '/');
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => this.sockets.delete(socket));
    let buf = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        const parsed = readFrame(buf);
        if (!parsed) break;
        buf = buf.subarray(parsed.size);
        if (parsed.opcode === 0x1) {
          try {
            this.events.emit('ack', JSON.parse(parsed.payload.toString('utf8')) as SocketAck);
          } catch {
            // not JSON: ignore, as Slack would drop it
          }
        } else if (parsed.opcode === 0x9) {
          socket.write(frame(0xa, parsed.payload));
        } else if (parsed.opcode === 0x8) {
          socket.write(frame(0x8, parsed.payload.subarray(0, 2)));
          socket.end();
        }
      }
    });
    socket.write(frame(0x1, Buffer.from(JSON.stringify({ type: 'hello', num_connections: this.sockets.size, debug_info: { host: 'fake' } }))));
  }
}

/** One unmasked server frame (servers never mask). */
function frame(opcode: number, payload: Buffer): Buffer {
  const len = payload.length;
  const head = len < 126 ? Buffer.alloc(2) : len < 65_536 ? Buffer.alloc(4) : Buffer.alloc(10);
  head[0] = 0x80 | opcode;
  if (len < 126) head[1] = len;
  else if (len < 65_536) {
    head[1] = 126;
    head.writeUInt16BE(len, 2);
  } else {
    head[1] = 127;
    head.writeBigUInt64BE(BigInt(len), 2);
  }
  return Buffer.concat([head, payload]);
}

/** One client frame from the start of `buf` (clients always mask), or null when incomplete. */
function readFrame(buf: Buffer): { opcode: number; payload: Buffer; size: number } | null {
  if (buf.length < 2) return null;
  const opcode = buf[0]! & 0x0f;
  const masked = (buf[1]! & 0x80) !== 0;
  let len = buf[1]! & 0x7f;
  let offset = 2;
  if (len === 126) {
    if (buf.length < 4) return null;
    len = buf.readUInt16BE(2);
    offset = 4;
  } else if (len === 127) {
    if (buf.length < 10) return null;
    len = Number(buf.readBigUInt64BE(2));
    offset = 10;
  }
  const maskAt = offset;
  if (masked) offset += 4;
  if (buf.length < offset + len) return null;
  const payload = Buffer.from(buf.subarray(offset, offset + len));
  if (masked) for (let i = 0; i < payload.length; i += 1) payload[i] = payload[i]! ^ buf[maskAt + (i % 4)]!;
  return { opcode, payload, size: offset + len };
}
