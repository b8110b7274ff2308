import type { Logger } from './logger.js';

/**
 * The process-level safety net of `dm-bridge start` (review finding 2: Node >= 15 exits on an
 * unhandled rejection, so one dropped promise took the gateway's management down).
 *
 * - `unhandledRejection`: logged (error) and the process continues. A rejected promise that nobody
 *   awaited is a bug, but the work it belonged to is over; the bridge's state (SQLite, caches) is
 *   not half-updated by it, and exiting would drop every MA's session and the LAN side.
 * - `uncaughtException`: logged (fatal) and the process exits with code 1. A throw that unwound an
 *   arbitrary synchronous stack may have left in-memory state half-updated; the supervisor of the
 *   process (systemd, the container runtime) restarts it, and SQLite keeps every acknowledged write.
 *
 * Only the error's name, code, message and stack are logged (never its other fields, which could
 * carry request options or credentials).
 */

export interface GuardedProcess {
  on(event: 'unhandledRejection', listener: (reason: unknown) => void): unknown;
  on(event: 'uncaughtException', listener: (err: unknown, origin: string) => void): unknown;
  off(event: 'unhandledRejection', listener: (reason: unknown) => void): unknown;
  off(event: 'uncaughtException', listener: (err: unknown, origin: string) => void): unknown;
}

export interface GuardOptions {
  /** Ends the process after an uncaught exception (default: process.exit). */
  exit?: (code: number) => void;
}

/** What of an error may be logged. */
export function errorSummary(e: unknown): { type: string; code?: string; message: string; stack?: string } {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    const out: { type: string; code?: string; message: string; stack?: string } = { type: e.name, message: e.message };
    if (typeof code === 'string' || typeof code === 'number') out.code = String(code);
    if (e.stack !== undefined) out.stack = e.stack;
    return out;
  }
  return { type: typeof e, message: typeof e === 'string' ? e : 'non-Error value' };
}

/** Install both handlers; returns a function that removes them. */
export function installProcessGuards(log: Logger, proc: GuardedProcess = process, opts: GuardOptions = {}): () => void {
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  let rejections = 0;
  const onRejection = (reason: unknown): void => {
    rejections++;
    log.error({ error: errorSummary(reason), rejections }, 'unhandled promise rejection (bug): logged, continuing');
  };
  const onException = (err: unknown, origin: string): void => {
    try {
      log.fatal({ error: errorSummary(err), origin }, 'uncaught exception: state may be inconsistent, exiting');
      log.flush?.();
    } finally {
      exit(1);
    }
  };
  proc.on('unhandledRejection', onRejection);
  proc.on('uncaughtException', onException);
  return () => {
    proc.off('unhandledRejection', onRejection);
    proc.off('uncaughtException', onException);
  };
}
