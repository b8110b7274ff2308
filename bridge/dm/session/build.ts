/**
 * Builders for what the client puts on the wire: SyncHdr (with Cred per auth type), Package #1
 * commands, and the Status records the session writes itself. CmdIDs are left '' here and
 * assigned when a command is placed into a message (outbox.ts).
 */
import { AlertCode, type AlertCommand, type Command, type Header, type Message, type StatusCommand } from '../message.js';
import { buildCred } from '../syncml/auth.js';
import type { OutboundAlert, OutboxEntry, SessionConfig, SessionState } from './types.js';

export const VER_DTD = '1.2';
export const VER_PROTO = 'DM/1.2';


export function buildHeader(config: SessionConfig, state: SessionState, msgId: string): Header {
  const withAuth = state.authType !== 'NONE';
  const header: Header = {
    verDTD: VER_DTD,
    verProto: VER_PROTO,
    sessionId: state.sessionId,
    msgId,
    target: { locUri: config.serverUri },
    source: withAuth ? { locUri: config.devId, locName: config.clientName } : { locUri: config.devId },
    meta: config.maxObjSize === undefined ? { maxMsgSize: config.maxMsgSize } : { maxMsgSize: config.maxMsgSize, maxObjSize: config.maxObjSize },
  };
  if (state.sendCred) {
    const cred = buildCred(state.authType, config.clientName, config.clientSecret, state.clientNonce);
    if (cred) header.cred = cred;
  }
  return header;
}

export function alert(code: string): AlertCommand {
  return { cmd: 'Alert', cmdId: '', data: code, items: [] };
}

const DEVINFO_LEAVES = ['DevId', 'Man', 'Mod', 'DmV', 'Lang'] as const;

/** Package #1: Alert 1201/1200, Replace of the 5 ./DevInfo leaves, then the given alerts. */
export function package1(config: SessionConfig, trigger: 'client' | 'server', alerts: OutboundAlert[]): OutboxEntry[] {
  const session = alert(trigger === 'client' ? AlertCode.CLIENT_INITIATED : AlertCode.SERVER_INITIATED);
  const replace: Command = {
    cmd: 'Replace',
    cmdId: '',
    items: DEVINFO_LEAVES.map((leaf) => ({
      source: { locUri: `./DevInfo/${leaf}` },
      meta: { format: 'chr', type: 'text/plain' },
      data: config.devInfo[leaf],
    })),
  };
  const extra: OutboxEntry[] = alerts.map((a) => {
    const cmd: AlertCommand = { ...a.alert, cmd: 'Alert', cmdId: '' };
    return a.ref === undefined ? { cmd } : { cmd, ref: a.ref };
  });
  return [{ cmd: session }, { cmd: replace }, ...extra];
}

/** Status for a server message's SyncHdr (CmdRef 0). */
export function headerStatus(m: Message, code: string, chal?: StatusCommand['chal']): StatusCommand {
  const s: StatusCommand = {
    cmd: 'Status',
    cmdId: '',
    msgRef: m.header.msgId,
    cmdRef: '0',
    refCmd: 'SyncHdr',
    targetRefs: [m.header.target.locUri],
    sourceRefs: [m.header.source.locUri],
    data: code,
  };
  if (chal) s.chal = chal;
  return s;
}

/** Status for one server command. */
export function commandStatus(msgRef: string, c: Command, code: string): StatusCommand {
  return { cmd: 'Status', cmdId: '', msgRef, cmdRef: c.cmdId, refCmd: c.cmd, data: code };
}

/** Every command that expects a Status: top level and nested in Atomic/Sequence, minus NoResp. */
export function commandsNeedingStatus(cmds: Command[]): Command[] {
  const out: Command[] = [];
  for (const c of cmds) {
    if (c.cmd === 'Status' || c.cmd === 'Results') continue;
    if (!c.noResp) out.push(c);
    if (c.cmd === 'Atomic' || c.cmd === 'Sequence') out.push(...commandsNeedingStatus(c.commands));
  }
  return out;
}

export function isAlert(c: Command, code: string): c is AlertCommand {
  return c.cmd === 'Alert' && c.data.trim() === code;
}
