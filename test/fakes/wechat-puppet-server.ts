import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import type { PuppetMock } from 'wechaty-puppet-mock';
import { PuppetServer } from 'wechaty-puppet-service';

/**
 * A Wechaty puppet service on 127.0.0.1: wechaty-puppet-service's own `PuppetServer` (gRPC)
 * wrapping a mock puppet, with TLS off. The bot then runs the production code path — the
 * `wechaty-puppet-service` puppet resolved by name, talking gRPC to an explicit endpoint —
 * without any network (with no endpoint the client would ask a discovery service on the internet).
 *
 * The client keeps a payload cache under `$HOME/.wechaty/`: tests point HOME at a temp dir.
 */
export class FakeWechatPuppetServer {
  private constructor(
    private readonly server: PuppetServer,
    readonly endpoint: string,
    readonly token: string,
  ) {}

  static async start(puppet: PuppetMock): Promise<FakeWechatPuppetServer> {
    // PuppetServer binds the port it is given and does not say which one it got for `:0`.
    const port = await freePort();
    const endpoint = `127.0.0.1:${port}`;
    // The client wants an SNI prefix on the token even without TLS: `insecure_` is the one for no TLS.
    const token = `insecure_dutybot-${randomBytes(8).toString('hex')}`;
    // The package's types pin their own copy of wechaty-puppet's Puppet; at runtime it is the same one.
    const server = new PuppetServer({ endpoint, puppet: puppet as unknown as ConstructorParameters<typeof PuppetServer>[0]['puppet'], token, tls: { disable: true } });
    await server.start();
    return new FakeWechatPuppetServer(server, endpoint, token);
  }

  /** `puppetOptions` for `wechaty-puppet-service`. */
  puppetOptions(): { endpoint: string; token: string; tls: { disable: true } } {
    return { endpoint: this.endpoint, token: this.token, tls: { disable: true } };
  }

  async stop(): Promise<void> {
    await this.server.stop();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}
