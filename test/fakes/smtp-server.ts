import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  /** Decoded `Subject:` header. */
  subject: string;
  /** Decoded text/plain part. */
  text: string;
  /** Decoded text/html part. */
  html: string;
  header(name: string): string | undefined;
}

/**
 * A fake SMTP server (the `smtp-server` package) on 127.0.0.1 without TLS or required auth. It
 * records every message it accepted and can refuse the next recipients temporarily (450) or for
 * good (550), as a real server does at RCPT TO.
 */
export class FakeSmtp {
  readonly mails: ReceivedMail[] = [];
  private readonly refusals: Array<450 | 550> = [];
  private server!: SMTPServer;
  port = 0;

  async start(): Promise<this> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onRcptTo: (address, _s: SMTPServerSession, cb) => {
        const code = this.refusals.shift();
        if (!code) return cb();
        const err = new Error(code === 450 ? 'Mailbox busy, try later' : `No such user ${address.address}`) as Error & { responseCode: number };
        err.responseCode = code;
        cb(err);
      },
      onData: (stream, session, cb) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          this.mails.push(parseMail(raw, String(session.envelope.mailFrom && session.envelope.mailFrom.address), session.envelope.rcptTo.map((r) => r.address)));
          cb();
        });
      },
    });
    await new Promise<void>((ok) => this.server.listen(0, '127.0.0.1', () => ok()));
    this.port = (this.server.server.address() as AddressInfo).port;
    return this;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  refuseNext(code: 450 | 550, times = 1): void {
    for (let i = 0; i < times; i++) this.refusals.push(code);
  }

  async close(): Promise<void> {
    await new Promise<void>((ok) => this.server.close(() => ok()));
  }
}

function decodeWords(s: string): string {
  return s.replace(/\s*=\?utf-8\?([bq])\?([^?]*)\?=/gi, (_, enc: string, data: string) =>
    enc.toLowerCase() === 'b' ? Buffer.from(data, 'base64').toString('utf8') : qp(data.replace(/_/g, ' ')),
  );
}

function qp(s: string): string {
  const bytes = s.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, h: string) => `%${h}`);
  try {
    return decodeURIComponent(bytes.replace(/%(?![0-9A-F]{2})/gi, '%25'));
  } catch {
    return bytes;
  }
}

function parseMail(raw: string, from: string, to: string[]): ReceivedMail {
  const [head = '', ...rest] = raw.split(/\r?\n\r?\n/);
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) headers.set(line.slice(0, i).toLowerCase(), line.slice(i + 1).trim());
  }
  const body = rest.join('\n\n');
  const decode = (enc: string, data: string): string =>
    enc.toLowerCase() === 'base64' ? Buffer.from(data.replace(/\s+/g, ''), 'base64').toString('utf8') : enc.toLowerCase() === 'quoted-printable' ? qp(data) : data;
  const part = (type: string): string => {
    // A message of one part carries its type and encoding in the head, not in the body.
    if ((headers.get('content-type') ?? '').toLowerCase().startsWith(type)) return decode(headers.get('content-transfer-encoding') ?? '7bit', body);
    const re = new RegExp(`Content-Type: ${type}[^]*?Content-Transfer-Encoding: ([\\w-]+)\\r?\\n\\r?\\n([^]*?)(?:\\r?\\n--|$)`, 'i');
    const m = re.exec(body);
    if (!m) return '';
    const [, enc, data] = m as unknown as [string, string, string];
    return decode(enc, data);
  };
  return {
    from,
    to,
    raw,
    subject: decodeWords(headers.get('subject') ?? ''),
    text: part('text/plain'),
    html: part('text/html'),
    header: (name) => headers.get(name.toLowerCase()),
  };
}
