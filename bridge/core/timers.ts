/**
 * Timers whose delay may come from configuration or from a value an MA wrote (PollSeconds, ...).
 * Node's setTimeout takes at most 2^31-1 ms (~24.8 days): a longer delay is replaced by 1 ms (with a
 * TimeoutOverflowWarning), which turned a 30-day poll into a session storm. longTimeout chains waits
 * of at most that size, so any delay is honoured.
 */

/** The largest delay setTimeout honours. */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** The largest poll interval an authority may ask for (one year): config `pollSeconds`, DMAcc `Ext/Bridge/PollSeconds`. */
export const MAX_POLL_SECONDS = 31_536_000;

export interface LongTimeout {
  /** Cancel (idempotent; harmless after the timer fired). */
  clear(): void;
}

/**
 * Call `fn` once after `ms` milliseconds, however large. A negative or NaN delay fires as soon as
 * possible; +Infinity never fires. The underlying timers are unref'd unless `ref` is set: a long
 * wait never keeps the process alive on its own.
 */
export function longTimeout(fn: () => void, ms: number, opts: { ref?: boolean } = {}): LongTimeout {
  let handle: ReturnType<typeof setTimeout> | null = null;
  let cleared = false;
  const wait = (remaining: number): void => {
    if (cleared || remaining === Infinity) return;
    const step = Math.min(remaining, MAX_TIMEOUT_MS);
    handle = setTimeout(() => {
      handle = null;
      if (cleared) return;
      if (remaining > MAX_TIMEOUT_MS) wait(remaining - MAX_TIMEOUT_MS);
      else fn();
    }, step);
    if (opts.ref !== true) handle.unref();
  };
  wait(Number.isNaN(ms) || ms < 0 ? 0 : ms);
  return {
    clear(): void {
      cleared = true;
      if (handle !== null) clearTimeout(handle);
      handle = null;
    },
  };
}
