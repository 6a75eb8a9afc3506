import { pino, type Logger } from 'pino';

/**
 * Structured JSON logs. Secrets never reach them: the redact list names every place a key or
 * token can appear, and code logs ids and names, never config objects or request headers.
 */
export const log: Logger = pino({
  level: process.env.LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info'),
  base: { service: 'dutybot' },
  redact: {
    paths: [
      'key',
      '*.key',
      'apiToken',
      '*.apiToken',
      'token',
      '*.token',
      'secret',
      '*.secret',
      'authorization',
      '*.authorization',
      'headers.authorization',
      'req.headers.authorization',
      'uri',
      '*.uri',
    ],
    censor: '[redacted]',
  },
});

export type { Logger };
