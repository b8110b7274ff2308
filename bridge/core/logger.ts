import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/** Field paths that must never reach a log line, at any depth we use. */
export const REDACT_PATHS = [
  'secret', '*.secret', 'clientSecret', '*.clientSecret', 'serverSecret', '*.serverSecret',
  'password', '*.password', 'token', '*.token', 'nonce', '*.nonce', 'nextNonce', '*.nextNonce',
  'AAuthSecret', '*.AAuthSecret', 'AAuthData', '*.AAuthData', 'authorization', '*.authorization',
  'cred', '*.cred', 'key', '*.key', 'auth.clientSecret', 'auth.serverSecret', '*.auth.clientSecret',
  '*.auth.serverSecret', 'headers.authorization', '*.headers.authorization',
];

export function createLogger(opts: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  const options: LoggerOptions = {
    level: opts.level ?? process.env.DM_BRIDGE_LOG_LEVEL ?? 'info',
    base: { svc: 'dm-bridge' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return opts.destination ? pino(options, opts.destination) : pino(options);
}

/** A logger that drops everything (unit tests). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
