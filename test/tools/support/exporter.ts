import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The tiny exporter Prometheus scrapes: gauges whose series the test sets and clears, served on
 * 127.0.0.1 in the text exposition format. Whatever the test sets is what the next scrape sees.
 */
export class TestExporter {
  /** metric name → series (rendered label set → value). */
  private readonly gauges = new Map<string, Map<string, number>>();

  private constructor(
    private readonly server: Server,
    readonly target: string,
  ) {}

  static async start(): Promise<TestExporter> {
    let self: TestExporter | undefined;
    const server = createServer((req, res) => {
      if (req.url !== '/metrics' || !self) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(self.render());
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
    const { port } = server.address() as AddressInfo;
    self = new TestExporter(server, `127.0.0.1:${port}`);
    return self;
  }

  set(metric: string, labels: Record<string, string>, value: number): void {
    let series = this.gauges.get(metric);
    if (!series) this.gauges.set(metric, (series = new Map()));
    series.set(renderLabels(labels), value);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((ok) => this.server.close(() => ok()));
  }

  private render(): string {
    const lines: string[] = [];
    for (const [metric, series] of this.gauges) {
      lines.push(`# TYPE ${metric} gauge`);
      for (const [labels, value] of series) lines.push(`${metric}${labels} ${value}`);
    }
    return `${lines.join('\n')}\n`;
  }
}

function renderLabels(labels: Record<string, string>): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}
