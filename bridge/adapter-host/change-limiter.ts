/**
 * Rate limit of device-reported changes: changes of one path coalesce (latest wins); at most
 * `maxPerFlush` paths are emitted per `intervalMs`; at most `maxPending` paths wait (more are dropped).
 */
export class ChangeLimiter {
  private readonly pending = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private lastFlush = -Infinity;
  dropped = 0;

  constructor(
    private readonly emit: (path: string) => void,
    private readonly o: { intervalMs: number; maxPerFlush: number; maxPending: number; now: () => number },
  ) {}

  push(path: string): void {
    if (!this.pending.has(path)) {
      if (this.pending.size >= this.o.maxPending) {
        this.dropped++;
        return;
      }
      this.pending.add(path);
    }
    if (this.timer) return;
    const wait = this.lastFlush + this.o.intervalMs - this.o.now();
    if (wait <= 0) this.flush();
    else {
      this.timer = setTimeout(() => this.flush(), wait);
      this.timer.unref();
    }
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending.clear();
  }

  private flush(): void {
    this.timer = null;
    this.lastFlush = this.o.now();
    let n = 0;
    for (const p of this.pending) {
      if (n++ >= this.o.maxPerFlush) break;
      this.pending.delete(p);
      this.emit(p);
    }
    if (this.pending.size > 0) {
      this.timer = setTimeout(() => this.flush(), this.o.intervalMs);
      this.timer.unref();
    }
  }
}
