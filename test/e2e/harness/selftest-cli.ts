// Runs INSIDE a namespace: the `dm-bridge selftest` handler with the embedded defaults; prints
// {"exit":N,"out":"..."} (N = 0 when multicast works somewhere, else 1).
import { selftestCommand } from '../../../bridge/cli-devices.js';

let out = '';
let exit = 0;
try {
  await selftestCommand({}, (t) => { out += t; }, (m, c) => { exit = c; return new Error(m); });
} catch (err) {
  out += `error: ${(err as Error).message}\n`;
}
process.stdout.write(`${JSON.stringify({ exit, out })}\n`);
