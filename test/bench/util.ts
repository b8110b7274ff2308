/** Small benchmark helpers: warm up, run for a minimum time, report ops/s; median of several runs. */
export interface Measure {
  opsPerSec: number;
  usPerOp: number;
}

export function measure(fn: (i: number) => void, opts: { minMs?: number; batch?: number } = {}): Measure {
  const minMs = opts.minMs ?? 300;
  const batch = opts.batch ?? 1000;
  for (let i = 0; i < batch; i++) fn(i);
  let n = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < minMs) {
    for (let i = 0; i < batch; i++) fn(n + i);
    n += batch;
    elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  }
  return { opsPerSec: (n / elapsed) * 1000, usPerOp: (elapsed * 1000) / n };
}

export async function measureAsync(fn: (i: number) => Promise<void>, opts: { minMs?: number } = {}): Promise<Measure> {
  const minMs = opts.minMs ?? 300;
  await fn(0);
  let n = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < minMs) {
    await fn(n++);
    elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  }
  return { opsPerSec: (n / elapsed) * 1000, usPerOp: (elapsed * 1000) / n };
}

/** Median of `runs` measurements of the same thing. */
export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}
