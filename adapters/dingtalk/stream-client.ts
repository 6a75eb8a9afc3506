import { DWClient } from 'dingtalk-stream';

/**
 * The dingtalk-stream SDK's client with five fixes, all found by reading its source (2.1.5,
 * dist/client.mjs). Everything else (frames, SYSTEM ping echo, callback dispatch by topic,
 * `socketCallBackResponse`) is the SDK's own.
 *
 * 1. Gateway URL: `getEndpoint()` POSTs to the constant `https://api.dingtalk.com/...` with no
 *    option to change it. Overridden to use `apiUrl`, with a timeout (axios had none) and the ticket
 *    URL-encoded.
 * 2. Reconnects: the SDK retries every second forever. A failed handshake schedules *two* retries
 *    (the `connect()` catch and the socket's `close` handler), so parallel connection loops double
 *    with every failure. `connect()` here runs one attempt at a time, adds exponential backoff
 *    (1 s, 2 s, 4 s … 60 s) and never runs after `shutdown()` (the SDK's `_connect()` clears its
 *    own "user disconnected" flag, so a retry timer pending at `disconnect()` would reconnect).
 * 3. Heartbeat: the SDK's `keepAlive` starts a new interval on every (re)connect and never clears
 *    the old ones (they keep the process alive and terminate healthy sockets). Ours is one
 *    unref'd interval per socket, cleared when it closes; a socket with no pong and no frame for
 *    two intervals is terminated, which triggers a reconnect.
 * 4. Subscriptions: the SDK's default config shares one `subscriptions` array between all
 *    clients (and subscribes to every EVENT). Each client here has its own list, callbacks only.
 * 5. A frame that is not JSON made `onDownStream` throw inside the socket's message listener;
 *    it is now logged and dropped.
 *
 * Private SDK fields (`dw_url`, `socket`, `reconnectInterval`) are reached through one cast each.
 */

/** What we use of the SDK's `ws` socket (the package has no types installed). */
interface StreamSocket {
  readyState: number;
  ping(): void;
  close(): void;
  terminate(): void;
  on(event: 'pong', fn: () => void): void;
  once(event: 'close', fn: () => void): void;
}

interface SdkInternals {
  dw_url?: string;
  socket?: StreamSocket;
  reconnectInterval: number;
}

export interface StreamClientOptions {
  clientId: string;
  clientSecret: string;
  /** OpenAPI base URL, e.g. `https://api.dingtalk.com` (tests: the fake's origin). */
  apiUrl: string;
  /** First reconnect delay; doubles per failed attempt up to `maxReconnectMs`. */
  firstReconnectMs?: number;
  maxReconnectMs?: number;
  heartbeatMs?: number;
  /** Gateway request and WebSocket handshake each get this long. */
  timeoutMs?: number;
  onProblem?: (detail: string) => void;
}

/** Emitted by the client (on top of the SDK's topic events). */
export const SOCKET_OPEN = 'dutybot:socket-open';
export const SOCKET_CLOSE = 'dutybot:socket-close';

const OPEN = 1;

export class StreamClient extends DWClient {
  #opts: Required<Omit<StreamClientOptions, 'onProblem'>> & Pick<StreamClientOptions, 'onProblem'>;
  #stopped = false;
  #inFlight = false;
  #failures = 0;
  #alive = true;
  #backoff: { timer: NodeJS.Timeout; wake: () => void } | undefined;

  constructor(opts: StreamClientOptions) {
    super(sdkConfig(opts));
    this.#opts = {
      firstReconnectMs: 1_000,
      maxReconnectMs: 60_000,
      heartbeatMs: 20_000,
      timeoutMs: 15_000,
      ...opts,
      apiUrl: opts.apiUrl.replace(/\/+$/, ''),
    };
    // The SDK waits this long before calling connect() again after a failure or a drop.
    this.#sdk().reconnectInterval = this.#opts.firstReconnectMs;
  }

  #sdk(): SdkInternals {
    return this as unknown as SdkInternals;
  }

  /** True while the WebSocket is open. */
  get open(): boolean {
    return this.connected && this.#sdk().socket?.readyState === OPEN;
  }

  override async getEndpoint(): Promise<this> {
    if (this.#stopped) throw new Error('stream client stopped');
    const { clientId, clientSecret, ua, subscriptions } = this.config;
    let res: Response;
    try {
      res = await fetch(`${this.#opts.apiUrl}/v1.0/gateway/connections/open`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ clientId, clientSecret, ua, subscriptions }),
        signal: AbortSignal.timeout(this.#opts.timeoutMs),
      });
    } catch (err) {
      throw this.#problem(`gateway unreachable: ${(err as Error).message}`);
    }
    const body = (await res.json().catch(() => null)) as { endpoint?: unknown; ticket?: unknown; code?: unknown } | null;
    if (!res.ok) throw this.#problem(`gateway http ${res.status}${typeof body?.code === 'string' ? ` ${body.code}` : ''}`);
    if (typeof body?.endpoint !== 'string' || typeof body.ticket !== 'string') throw this.#problem('gateway answered without endpoint/ticket');
    this.#sdk().dw_url = `${body.endpoint}?ticket=${encodeURIComponent(body.ticket)}`;
    return this;
  }

  override async _connect(): Promise<void> {
    // ws has no handshake timeout by default: a gateway that accepts TCP and never answers would
    // hold this attempt (and, the SDK being one loop, every later one) forever.
    const timer = setTimeout(() => this.#sdk().socket?.terminate(), this.#opts.timeoutMs);
    timer.unref();
    try {
      await super._connect();
    } finally {
      clearTimeout(timer);
    }
    const socket = this.#sdk().socket;
    if (!socket) return;
    if (this.#stopped) {
      socket.close();
      return;
    }
    this.#watch(socket);
  }

  override async connect(): Promise<void> {
    if (this.#stopped || this.#inFlight || this.open) return;
    this.#inFlight = true;
    try {
      const extra = backoffMs(this.#failures, this.#opts.firstReconnectMs, this.#opts.maxReconnectMs);
      if (extra > 0) await this.#sleep(extra);
      if (this.#stopped) return;
      await super.connect(); // never rejects; on failure the SDK schedules connect() again
      if (!this.open) this.#failures += 1;
    } finally {
      this.#inFlight = false;
    }
  }

  override onDownStream(data: string): void {
    this.#alive = true;
    try {
      super.onDownStream(data);
    } catch (err) {
      this.#problem(`bad stream frame dropped: ${(err as Error).message}`);
    }
  }

  /** Stops for good: no reconnect, resolves when the socket is closed. */
  async shutdown(): Promise<void> {
    this.#stopped = true;
    if (this.#backoff) {
      clearTimeout(this.#backoff.timer);
      this.#backoff.wake();
    }
    const socket = this.#sdk().socket;
    const closed =
      socket && socket.readyState <= OPEN
        ? new Promise<void>((ok) => {
            const t = setTimeout(ok, 2_000);
            t.unref();
            socket.once('close', () => {
              clearTimeout(t);
              ok();
            });
          })
        : Promise.resolve();
    this.disconnect();
    await closed;
  }

  #watch(socket: StreamSocket): void {
    this.#failures = 0;
    this.#alive = true;
    socket.on('pong', () => {
      this.#alive = true;
    });
    const beat = setInterval(() => {
      if (socket.readyState !== OPEN) return;
      if (!this.#alive) {
        this.#problem('stream heartbeat lost; reconnecting');
        socket.terminate();
        return;
      }
      this.#alive = false;
      socket.ping();
    }, this.#opts.heartbeatMs);
    beat.unref();
    socket.once('close', () => {
      clearInterval(beat);
      this.emit(SOCKET_CLOSE);
    });
    this.emit(SOCKET_OPEN);
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((wake) => {
      const timer = setTimeout(() => {
        this.#backoff = undefined;
        wake();
      }, ms);
      timer.unref();
      this.#backoff = { timer, wake };
    });
  }

  #problem(detail: string): Error {
    this.#opts.onProblem?.(detail);
    return new Error(detail);
  }
}

/** Extra wait on top of the SDK's own `reconnectInterval` after `failures` failed attempts. */
export function backoffMs(failures: number, firstMs: number, maxMs: number): number {
  if (failures <= 0) return 0;
  const total = Math.min(maxMs, firstMs * 2 ** Math.min(failures, 16));
  const jitter = 1 + (Math.random() - 0.5) * 0.2;
  return Math.max(0, Math.round(total * jitter) - firstMs);
}

function sdkConfig(opts: StreamClientOptions): ConstructorParameters<typeof DWClient>[0] {
  const config = {
    clientId: opts.clientId,
    clientSecret: opts.clientSecret,
    ua: 'dutybot',
    keepAlive: false, // see (3): our own heartbeat
    debug: false,
    autoReconnect: true,
    subscriptions: [] as Array<{ type: string; topic: string }>, // see (4)
  };
  return config;
}
