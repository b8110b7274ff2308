/**
 * Cutting our package into messages under the server's MaxMsgSize (PROTOCOL.md §2.4).
 * Commands go whole while they fit. A Results/Add/Replace/Alert that does not fit is split
 * (chunk.ts): between items, or into MoreData chunks of its first item when that item alone
 * does not fit; a chunk with MoreData ends its message, and the rest of the object goes first in
 * the next messages (reply() keeps it right after the head statuses). Only a command that cannot
 * be split and does not fit an otherwise empty message is sent oversize (`oversize` effect).
 * Final goes only on the message that empties the package.
 */
import { AlertCode, type Command, type Message } from '../message.js';
import { alert, buildHeader } from './build.js';
import { dataLength, isSplittable, splitEntry } from './chunk.js';
import type { Effect, Outbound, OutboxEntry, SessionConfig, SessionState } from './types.js';

/** A first chunk is started after other commands only if it carries at least this much data. */
const MIN_FIRST_CHUNK = 256;

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
 * `askNext`: the server's package is not complete, so append Alert 1222 and never send Final; no
 * large object is started or continued then (the 1222 itself makes progress).
 * `mustTake`: the first N entries go whatever their size (the Status for the SyncHdr and for
 * Alert 1222 of the message answered). Without askNext at least one more entry (or a piece of
 * it) goes too, so that every message makes progress.
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
  const forced = Math.min(opts.mustTake ?? 0, outbox.length);
  const take = (c: Command): Command => ({ ...c, cmdId: String(nextCmdId++) });
  const sizeAt = (c: Command, limit: number): number =>
    dataLength(c) > limit ? Number.POSITIVE_INFINITY : config.measure({ ...c, cmdId: String(nextCmdId) });

  const commands: Command[] = [];
  const sentAlerts = [...state0.sentAlerts];
  let used = 0;
  if (opts.askNext) {
    // measured with a provisional id; the real id is assigned after the others
    used += config.measure({ ...alert(AlertCode.NEXT_MESSAGE), cmdId: String(nextCmdId + outbox.length) });
  }
  let headUsed = used;
  let extra = 0; // entries (or pieces) placed after the forced ones
  let rest: OutboxEntry[] | null = null;
  const place = (entry: OutboxEntry, cmd: Command, size: number, withRef: boolean): void => {
    const c = take(cmd);
    commands.push(c);
    used += size;
    if (withRef && entry.ref !== undefined) sentAlerts.push({ msgId, cmdId: c.cmdId, ref: entry.ref });
  };
  let i = 0;
  for (; i < outbox.length; i++) {
    const entry = outbox[i] as OutboxEntry;
    const room = budget - used;
    if (i < forced) {
      place(entry, entry.cmd, config.measure({ ...entry.cmd, cmdId: String(nextCmdId) }), true);
      headUsed = used;
      continue;
    }
    const size = sizeAt(entry.cmd, Math.max(0, room));
    if (size <= room) {
      place(entry, entry.cmd, size, true);
      extra++;
      continue;
    }
    const mustProgress = !opts.askNext && extra === 0;
    if (!opts.askNext && isSplittable(entry.cmd)) {
      const fresh = budget - headUsed;
      // it fits a message of its own: send it whole in the next one
      if (extra > 0 && !entry.continued && sizeAt(entry.cmd, Math.max(0, fresh)) <= fresh) break;
      const fits = (c: Command): boolean => sizeAt(c, Math.max(0, room)) <= room;
      const split = splitEntry(entry, fits, Math.max(0, room), mustProgress);
      if (split && (extra === 0 || !split.chunked || firstChunkLength(split.piece) >= MIN_FIRST_CHUNK)) {
        place(entry, split.piece, config.measure({ ...split.piece, cmdId: String(nextCmdId) }), false);
        extra++;
        rest = [split.rest, ...outbox.slice(i + 1)];
        break; // a chunk with MoreData ends the message; after an item split the rest did not fit
      }
    }
    if (!mustProgress) break;
    place(entry, entry.cmd, config.measure({ ...entry.cmd, cmdId: String(nextCmdId) }), true);
    extra++;
  }
  const remaining = rest ?? outbox.slice(i);
  if (opts.askNext) {
    commands.push(take(alert(AlertCode.NEXT_MESSAGE)));
  }
  const final = !opts.askNext && remaining.length === 0;
  const state: SessionState = {
    ...state0,
    nextMsgId: state0.nextMsgId + 1,
    nextCmdId,
    lastMsgId: msgId,
    outbox: remaining,
    sentAlerts,
    phase: 'waiting',
  };
  const message: Message = { header: buildHeader(config, state0, msgId), commands, final };
  const effects = nonceEffects(commands);
  if (used > budget) effects.push({ kind: 'oversize', msgId, size: used + config.envelope, limit: budget + config.envelope });
  return { state, send: outbound(config, state0, message), effects };
}

function firstChunkLength(c: Command): number {
  return 'items' in c && c.items ? (c.items[c.items.length - 1]?.data?.length ?? 0) : 0;
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
