import type { Logger as SdkLogger } from '@larksuiteoapi/node-sdk';
import type { Logger } from '../../src/log.js';

/**
 * The Feishu SDK logs whole axios errors (their `config.data` holds the app secret on a token
 * request, their headers the tenant token) and, at debug, whole events. Into our log go only
 * strings and errors' messages and Feishu codes: never an object the SDK hands us.
 */
export function sdkLogger(log: Logger): SdkLogger {
  const child = log.child({ sdk: 'feishu' });
  const line = (parts: unknown[]): string =>
    parts
      .map(describe)
      .filter(Boolean)
      .join(' ')
      .replace(/(ticket|access_key|token|secret)=[^&\s]+/gi, '$1=…')
      .slice(0, 1000);
  return {
    error: (...m: unknown[]) => child.error(line(m)),
    warn: (...m: unknown[]) => child.warn(line(m)),
    info: (...m: unknown[]) => child.debug(line(m)),
    debug: () => {},
    trace: () => {},
  };
}

function describe(part: unknown): string {
  if (typeof part === 'string') return part;
  if (typeof part === 'number' || typeof part === 'boolean') return String(part);
  if (Array.isArray(part)) return part.map(describe).join(' ');
  if (part && typeof part === 'object') {
    const o = part as { message?: unknown; response?: { status?: unknown; data?: { code?: unknown; msg?: unknown } }; code?: unknown; msg?: unknown };
    const bits = [o.message, o.response?.status, o.response?.data?.code, o.response?.data?.msg, o.code, o.msg].filter((b) => typeof b === 'string' || typeof b === 'number');
    return bits.join(' ');
  }
  return '';
}
