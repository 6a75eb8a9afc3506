import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A second webhook receiver next to dutybot, so the test knows what Alertmanager itself sent
 * (its `endsAt`, its batches) without putting anything between Alertmanager and dutybot.
 */
export class WebhookRecorder {
  readonly bodies: unknown[] = [];
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<WebhookRecorder> {
    let self: WebhookRecorder | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        try {
          self?.bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch {
          /* not JSON: not a webhook */
        }
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
    const { port } = server.address() as AddressInfo;
    self = new WebhookRecorder(server, `http://127.0.0.1:${port}/`);
    return self;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((ok) => this.server.close(() => ok()));
  }
}
