/** Runs queued tasks with at most `max` in flight (bounded memory under a burst of work). */
export class Limiter {
  private readonly queue: Array<() => Promise<unknown>> = [];
  private running = 0;

  constructor(private readonly max: number) {}

  run(task: () => Promise<unknown>): void {
    this.queue.push(task);
    this.next();
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
