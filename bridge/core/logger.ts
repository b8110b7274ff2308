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

const families = new WeakMap<Logger, Set<WeakRef<Logger>>>();

export function createLogger(opts: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  const family = new Set<WeakRef<Logger>>();
  const options: LoggerOptions = {
    level: opts.level ?? process.env.DM_BRIDGE_LOG_LEVEL ?? 'info',
    base: { svc: 'dm-bridge' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    // children inherit onChild, so every descendant is tracked for setLogLevel
    onChild: (child) => void family.add(new WeakRef(child)),
  };
  const root = opts.destination ? pino(options, opts.destination) : pino(options);
  families.set(root, family);
  return root;
}

/** Change the level of a logger made by createLogger and of every child it has (live ./Bridge/Log/Level). */
export function setLogLevel(root: Logger, level: string): void {
  root.level = level;
  for (const ref of families.get(root) ?? []) {
    const child = ref.deref();
    if (child) child.level = level;
    else families.get(root)?.delete(ref);
  }
}

/** A logger that drops everything (unit tests). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
