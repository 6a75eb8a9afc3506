import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from '../../src/log.js';

/**
 * Bolt's logger interface on top of our pino logger, so Bolt, the WebClient and the Socket Mode
 * client log as structured JSON with the rest of dutybot. Bolt calls `setLevel(INFO)` on any
 * logger it is given; pino's configured level stays in charge, so that call is ignored.
 */
export function boltLogger(log: Logger): BoltLogger {
  const child = log.child({ component: 'slack-sdk' });
  const text = (msg: unknown[]): string =>
    msg.map((m) => (m instanceof Error ? m.message : typeof m === 'string' ? m : safeJson(m))).join(' ');
  const errOf = (msg: unknown[]): Error | undefined => msg.find((m): m is Error => m instanceof Error);
  return {
    debug: (...msg: unknown[]) => child.debug(text(msg)),
    info: (...msg: unknown[]) => child.info(text(msg)),
    warn: (...msg: unknown[]) => child.warn(text(msg)),
    error: (...msg: unknown[]) => {
      const err = errOf(msg);
      if (err) child.error({ err }, text(msg));
      else child.error(text(msg));
    },
    setLevel: () => {},
    getLevel: () => {
      switch (child.level) {
        case 'trace':
        case 'debug':
          return LogLevel.DEBUG;
        case 'info':
          return LogLevel.INFO;
        case 'warn':
          return LogLevel.WARN;
        default:
          return LogLevel.ERROR;
      }
    },
    setName: () => {},
  };
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}
