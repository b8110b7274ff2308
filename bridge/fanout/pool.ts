/** How one item of a bounded pool ended. */
export type Settled<R> = { kind: 'done'; value: R } | { kind: 'timeout' } | { kind: 'error'; error: unknown };

export interface PoolOptions {
  /** Most items in flight at once (>= 1). */
  concurrency: number;
  /** Per-item deadline, ms: a slower item is reported as timed out and its slot is freed. */
  timeoutMs: number;
  /** Aborting stops starting new items (items in flight still settle). */
  signal?: AbortSignal;
}

export interface PoolReport {
  /** Highest number of items in flight at any moment. */
  maxInFlight: number;
  /** Items that never started (the signal aborted first). */
  skipped: number;
}

/**
 * Run `work` over `items` with at most `concurrency` in flight; each item gets `timeoutMs`.
 * A hung item costs one slot for its deadline, never the others. `onSettled` sees every started item once.
 */
export async function runPool<T, R>(
  items: readonly T[],
  opts: PoolOptions,
  work: (item: T, index: number) => R | Promise<R>,
  onSettled: (index: number, s: Settled<R>) => void,
): Promise<PoolReport> {
  const width = Math.max(1, Math.min(Math.floor(opts.concurrency), items.length));
  let next = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  let skipped = 0;
  const lane = async (): Promise<void> => {
    for (;;) {
      if (next >= items.length) return;
      if (opts.signal?.aborted) {
        skipped += items.length - next;
        next = items.length;
        return;
      }
      const i = next++;
      inFlight++;
      if (inFlight > maxInFlight) maxInFlight = inFlight;
      const s = await settle(() => work(items[i]!, i), opts.timeoutMs);
      inFlight--;
      onSettled(i, s);
    }
  };
  const lanes: Promise<void>[] = [];
  for (let k = 0; k < width; k++) lanes.push(lane());
  await Promise.all(lanes);
  return { maxInFlight, skipped };
}

/** Run fn with a deadline; never rejects. */
export function settle<R>(fn: () => R | Promise<R>, timeoutMs: number): Promise<Settled<R>> {
  let timer: NodeJS.Timeout | undefined;
  let run: Promise<Settled<R>>;
  try {
    run = Promise.resolve(fn()).then(
      (value): Settled<R> => ({ kind: 'done', value }),
      (error: unknown): Settled<R> => ({ kind: 'error', error }),
    );
  } catch (error) {
    return Promise.resolve({ kind: 'error', error });
  }
  const deadline = new Promise<Settled<R>>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'timeout' }), timeoutMs);
  });
  return Promise.race([run, deadline]).finally(() => clearTimeout(timer));
}
