/**
 * Cutting our package into messages under the server's MaxMsgSize (PROTOCOL.md §2.4).
 * A command is never split; one that alone exceeds the limit is sent alone (large objects are
 * the engine's job). Final goes only on the message that empties the package.
 */
import { AlertCode, type Command, type Message } from '../message.js';
import { alert, buildHeader } from './build.js';
import type { Effect, Outbound, OutboxEntry, SessionConfig, SessionState } from './types.js';

export function msgBudget(config: SessionConfig, state: SessionState): number {
  return (state.serverMaxMsgSize ?? config.assumedServerMaxMsgSize ?? config.maxMsgSize) - config.envelope;
}

export interface Cut {
  state: SessionState;
  send: Outbound;
  effects: Effect[];
}

/**
 * Build our next message from the outbox.
 * `askNext`: the server's package is not complete, so append Alert 1222 and never send Final.
 * `mustTake`: the first N entries go whatever their size (the Status for the SyncHdr and for
 * Alert 1222 of the message answered, plus one more so that every message makes progress).
 */
export function cutMessage(
  config: SessionConfig,
  state0: SessionState,
  outbox: OutboxEntry[],
  opts: { askNext: boolean; mustTake?: number },
): Cut {
  let nextCmdId = state0.nextCmdId;
  const msgId = String(state0.nextMsgId);
  const budget = msgBudget(config, state0);
  const take = (c: Command): Command => ({ ...c, cmdId: String(nextCmdId++) });

  const commands: Command[] = [];
  const sentAlerts = [...state0.sentAlerts];
  let used = 0;
  if (opts.askNext) {
    // measured with a provisional id; the real id is assigned after the others
    used += config.measure({ ...alert(AlertCode.NEXT_MESSAGE), cmdId: String(nextCmdId + outbox.length) });
  }
  let i = 0;
  for (; i < outbox.length; i++) {
    const entry = outbox[i] as OutboxEntry;
    const cmd = { ...entry.cmd, cmdId: String(nextCmdId) };
    const size = config.measure(cmd);
    if (commands.length >= Math.max(1, opts.mustTake ?? 0) && used + size > budget) break;
    commands.push(take(entry.cmd));
    used += size;
    if (entry.ref !== undefined) sentAlerts.push({ msgId, cmdId: cmd.cmdId, ref: entry.ref });
  }
  const rest = outbox.slice(i);
  if (opts.askNext) {
    commands.push(take(alert(AlertCode.NEXT_MESSAGE)));
  }
  const final = !opts.askNext && rest.length === 0;
  const state: SessionState = {
    ...state0,
    nextMsgId: state0.nextMsgId + 1,
    nextCmdId,
    lastMsgId: msgId,
    outbox: rest,
    sentAlerts,
    phase: 'waiting',
  };
  const message: Message = { header: buildHeader(config, state0, msgId), commands, final };
  return { state, send: outbound(config, state0, message), effects: nonceEffects(commands) };
}

function outbound(config: SessionConfig, s: SessionState, message: Message): Outbound {
  const o: Outbound = { message, url: s.url };
  if (s.authType === 'HMAC') {
    if (s.sendCred && s.clientNonce !== null) o.hmacSign = { username: config.clientName, nonce: s.clientNonce };
    if (config.serverSecret !== null && s.serverNonce !== null) o.hmacVerify = { username: config.serverId, nonce: s.serverNonce };
  }
  return o;
}

/** A NextNonce we issue to the server is persisted only when the message carrying it is sent. */
function nonceEffects(commands: Command[]): Effect[] {
  const out: Effect[] = [];
  for (const c of commands) {
    if (c.cmd === 'Status' && c.cmdRef === '0' && c.chal?.meta.nextNonce !== undefined) {
      out.push({ kind: 'persistNonce', direction: 'server', nonce: c.chal.meta.nextNonce });
    }
  }
  return out;
}
