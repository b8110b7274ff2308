import { Timeout, type AdapterContext, type Logger } from '../../adapters/sdk/index.js';
import { BridgeError } from '../core/errors.js';
import { toBridgeError } from './errors.js';

export interface GuardOptions {
  /** Calls at once per device; more answer "busy" at once (default 8). */
  maxInFlight: number;
  /** Consecutive timeouts that open the breaker (default 3). */
  breakAfter: number;
  /** How long an open breaker fails calls fast (default 30 s). */
  breakMs: number;
  now: () => number;
}

export const GUARD_DEFAULTS: GuardOptions = { maxInFlight: 8, breakAfter: 3, breakMs: 30_000, now: Date.now };

/**
 * Isolation of one device: every call under a deadline (AbortSignal), a bound on concurrent calls,
 * and a breaker that fails fast after repeated timeouts so a hung device never stalls a session.
 * Whatever the adapter throws (or how it hangs) becomes a BridgeError.
 */
export class DeviceGuard {
  private inFlight = 0;
  private timeouts = 0;
  private openUntil = 0;

  constructor(
    private readonly log: Logger,
    private readonly o: GuardOptions = GUARD_DEFAULTS,
    /** Told after every call: its operation (`get`, `replace`, `exec`), duration and error code if it failed. */
    private readonly report?: (op: string, durationMs: number, error?: string) => void,
  ) {}

  async run<T>(what: string, authority: string | null, timeoutMs: number, op: (ctx: AdapterContext) => Promise<T>): Promise<T> {
    if (this.o.now() < this.openUntil) throw new BridgeError('DEVICE_UNREACHABLE', 'device not responding (repeated timeouts); try again later');
    if (this.inFlight >= this.o.maxInFlight) throw new BridgeError('DEVICE_UNREACHABLE', 'device busy: too many requests in flight');
    this.inFlight++;
    const started = this.o.now();
    const op0 = what.split(' ', 1)[0]!.toLowerCase();
    const ac = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        ac.abort();
        reject(new Timeout(`no answer within ${timeoutMs} ms (${what})`));
      }, timeoutMs);
    });
    try {
      const ctx: AdapterContext = { authority, signal: ac.signal, log: this.log };
      const r = await Promise.race([Promise.resolve().then(() => op(ctx)), deadline]);
      this.timeouts = 0;
      this.report?.(op0, this.o.now() - started);
      return r;
    } catch (err) {
      const e = toBridgeError(err);
      this.report?.(op0, this.o.now() - started, e.code);
      if (e.code === 'TIMEOUT' && ++this.timeouts >= this.o.breakAfter) {
        this.openUntil = this.o.now() + this.o.breakMs;
        this.timeouts = 0;
        this.log.warn({ what, breakMs: this.o.breakMs }, 'adapter-host: device keeps timing out; failing fast for a while');
      }
      throw e;
    } finally {
      clearTimeout(timer);
      this.inFlight--;
    }
  }
}
