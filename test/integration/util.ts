/** Small helpers shared by the integration harnesses, scenarios and the demo. */
import { createServer } from 'node:net';

/** A TCP port that was free on 127.0.0.1 a moment ago (for a child process that must be told its port). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

/** Poll `ok` every `stepMs` until it holds; throws `timed out waiting for <what>` after `ms`. */
export async function waitFor(ok: () => boolean, ms: number, what: string, stepMs = 10): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
