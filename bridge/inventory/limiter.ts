/** Queued tasks kept by default beyond the ones running (a burst past it is dropped, not buffered). */
export const LIMITER_MAX_QUEUE = 1024;

/**
 * Runs queued tasks with at most `max` in flight and at most `maxQueue` waiting (bounded memory
 * under a burst of work, e.g. description fetches for a flood of spoofed SSDP announcements).
 */
export class Limiter {
  private readonly queue: Array<() => Promise<unknown>> = [];
  private running = 0;

  constructor(
    private readonly max: number,
    private readonly maxQueue = LIMITER_MAX_QUEUE,
  ) {}

  /** Queue a task; false (and the task never runs) when the queue is full. */
  run(task: () => Promise<unknown>): boolean {
    if (this.running >= this.max && this.queue.length >= this.maxQueue) return false;
    this.queue.push(task);
    this.next();
    return true;
  }

  /** Tasks waiting for a slot. */
  queued(): number {
    return this.queue.length;
  }

  private next(): void {
    while (this.running < this.max && this.queue.length > 0) {
      this.running++;
      const task = this.queue.shift()!;
      void task().catch(() => undefined).finally(() => {
        this.running--;
        this.next();
      });
    }
  }
}
