/** Helpers for the notify channel integration tests: reference servers, a NotifyChannels manager, log capture. */
import assert from 'node:assert/strict';
import { NotifyChannels, type NotifyChannelStatus, type NotifyTrigger } from '../../bridge/authority/notify-channels.js';
import type { NotifyTimings } from '../../bridge/authority/notify-channel.js';
import { createLogger, type Logger } from '../../bridge/core/logger.js';
import { NotifyNonceRepo } from '../../bridge/store/notify-nonce-repo.js';
import type { AccountData } from '../../bridge/tree/providers/dmacc-provider.js';
import type { TreeBundle } from '../../bridge/tree/index.js';
import type { Store } from '../../bridge/store/db.js';
import { harness, type Harness } from './dm12-harness.js';
import type { Pki } from './pki.js';
import { waitFor } from './util.js';

export const FAST: Partial<NotifyTimings> = {
  pingIntervalMs: 200, pongTimeoutMs: 2000, handshakeTimeoutMs: 2000, stableMs: 60_000,
  backoff: { initialMs: 50, factor: 2, maxMs: 200, jitter: 0 },
};

export type Bundle = TreeBundle & { store: Store };
const cleanups: Array<() => Promise<void>> = [];

/** Close everything the helpers opened (call from afterEach). */
export async function cleanup(): Promise<void> {
  for (const c of cleanups.splice(0).reverse()) await c();
}

/** Run `fn` when the test ends. */
export function onCleanup(fn: () => Promise<void>): void {
  cleanups.push(fn);
}

/** Log lines (parsed) written by the channel. */
export function capture(): { log: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const log = createLogger({ level: 'debug', destination: { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) } });
  return { log, lines };
}

/** Change an account's stored settings and announce it, as the DMAcc provider does. */
export function patchAccount(b: Bundle, account: string, patch: (d: AccountData) => AccountData): void {
  const row = b.accounts.get(account)!;
  b.accounts.update({ ...row, data: JSON.stringify(patch(JSON.parse(row.data) as AccountData)), updatedAt: Date.now() });
  b.events.emit('account.changed', { account, serverId: row.serverId, op: 'Replace' });
}

export function channels(b: Bundle, onTrigger: (a: string, t: NotifyTrigger) => unknown, extra: { timings?: Partial<NotifyTimings>; log?: Logger; random?: () => number } = {}): NotifyChannels {
  const c = new NotifyChannels({
    accounts: b.accounts, nonces: new NotifyNonceRepo(b.store.db), events: b.events, clock: { now: () => Date.now() },
    log: extra.log ?? capture().log, onTrigger, timings: extra.timings ?? FAST, ...(extra.random ? { random: extra.random } : {}),
  });
  c.start();
  cleanups.push(() => c.stop());
  return c;
}

export const until = (what: string, cond: () => boolean, timeoutMs = 5000): Promise<void> => waitFor(cond, timeoutMs, what);

export const stat = (c: NotifyChannels, account: string): NotifyChannelStatus => {
  const s = c.list().find((x) => x.account === account);
  assert.ok(s, `no channel for ${account}`);
  return s;
};

/** Two DM 1.2 MAs (isp, oem; DIGEST, server secrets); with `tls`, isp serves HTTPS/WSS from `pki` (clientCa: TRANSPORT auth). */
export async function dm12(tls?: { pki: Pki; clientCa?: boolean }, bridgeTls?: AccountData['tls']): Promise<Harness> {
  const serverTls = tls ? { key: tls.pki.serverKey, cert: tls.pki.serverCert, ...(tls.clientCa ? { clientCa: tls.pki.caCert } : {}) } : undefined;
  const h = await harness([
    { account: 'isp', server: { serverId: 'dm.isp', authType: tls?.clientCa ? 'NONE' : 'DIGEST', serverSecret: 'srv-isp', ...(serverTls ? { tls: serverTls } : {}) }, ...(bridgeTls ? { bridge: { tls: bridgeTls } } : {}) },
    { account: 'oem', server: { serverId: 'dm.oem', authType: 'DIGEST', serverSecret: 'srv-oem' } },
  ]);
  cleanups.push(() => h.close());
  return h;
}

