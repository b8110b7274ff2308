import type { Logger } from '../core/logger.js';
import { runSelftest, type SelftestResult } from './selftest.js';

/**
 * Keeps the latest multicast self-test result for /readyz: runs at start, then every `everyMs`
 * and on demand (e.g. after a settings change).
 */
export class MulticastHealth {
  private result: SelftestResult | null = null;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<SelftestResult> | undefined;

  constructor(
    private readonly o: { interfaces: readonly string[]; log: Logger; everyMs?: number; run?: typeof runSelftest },
  ) {}

  last(): SelftestResult | null {
    return this.result;
  }

  run(): Promise<SelftestResult> {
    if (this.running) return this.running;
    const p = (this.o.run ?? runSelftest)({ interfaces: this.o.interfaces }).then((r) => {
      this.result = r;
      this.running = undefined;
      if (!r.ok) this.o.log.warn({ problem: r.problem, interfaces: r.interfaces.map((i) => i.name) }, 'multicast self-test failed: LAN discovery cannot work');
      else this.o.log.info({ interfaces: r.interfaces.filter((i) => i.multicast).map((i) => i.name) }, 'multicast self-test passed');
      return r;
    }, (err: unknown) => {
      this.running = undefined;
      const r: SelftestResult = { at: new Date().toISOString(), ok: false, interfaces: [], problem: `self-test error: ${(err as Error).message}` };
      this.result = r;
      this.o.log.warn({ problem: r.problem }, 'multicast self-test failed: LAN discovery cannot work');
      return r;
    });
    this.running = p;
    return p;
  }

  start(): void {
    void this.run();
    if (this.timer) return;
    this.timer = setInterval(() => void this.run(), this.o.everyMs ?? 10 * 60_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
