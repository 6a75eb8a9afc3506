import { log as wechatyLog } from 'wechaty';
import type { Logger } from '../../src/log.js';

/**
 * Wechaty, its puppets and memory-card all print through one process-wide Brolog instance, as
 * coloured text on stderr. This sends those lines into our JSON log instead, with two guards:
 * the SDK level stays at `warn` or above unless WECHATY_LOG asks for more (at `verbose` the
 * puppet-service client prints its token), and known secrets are masked in every line anyway.
 */
type Level = 'error' | 'warn' | 'info' | 'debug' | 'trace';

const LEVELS: Record<string, Level> = { ERR: 'error', WARN: 'warn', INFO: 'info', VERB: 'debug', SILL: 'trace' };

/** Puppet service tokens look like `puppet_padlocal_<hex>`, `insecure_<uuid>`, or a bare uuid. */
const TOKENISH = /\b(?:puppet_[A-Za-z0-9]+_[A-Za-z0-9-]{8,}|insecure_[A-Za-z0-9-]{8,}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b/gi;

export function maskSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 6) out = out.split(s).join('[redacted]');
  return out.replace(TOKENISH, '[redacted]');
}

let bridged: { log: Logger; secrets: string[] } | undefined;

export function bridgeWechatyLog(log: Logger, secrets: readonly string[], env: NodeJS.ProcessEnv = process.env): void {
  const wanted = env.WECHATY_LOG?.trim().toLowerCase();
  // Brolog accepts silent|error|warn|info|verbose|silly; anything louder than info is only on request.
  wechatyLog.level(wanted === 'silent' || wanted === 'error' || wanted === 'info' || wanted === 'verbose' || wanted === 'silly' ? wanted : 'warn');
  wechatyLog.timestamp(false);
  const target = { log: log.child({ sdk: 'wechaty' }), secrets: [...secrets] };
  if (bridged) {
    // One Brolog for the whole process: the latest adapter's logger and secrets win, earlier secrets stay masked.
    target.secrets.push(...bridged.secrets);
  }
  bridged = target;
  wechatyLog.enableLogging((title: string, text?: string) => {
    const b = bridged;
    if (!b) return;
    const level = LEVELS[title] ?? 'info';
    // Brolog's text is `<TITLE> <Module> <message>`: drop the title, keep module and message.
    const line = maskSecrets((text ?? '').replace(/^\S+\s+/, ''), b.secrets).slice(0, 2000);
    b.log[level](line);
  });
}
