/** Test helpers: a config, a fake server's messages, and a driver for the DM 1.2 session. */
import assert from 'node:assert/strict';
import type { Chal, Command, ItemCommand, Message, StatusCommand } from '../../../bridge/dm/message.js';
import { initialState, step } from '../../../bridge/dm/session/index.js';
import type { Effect, ReplyDraft, SessionConfig, SessionInput, SessionState, StepResult } from '../../../bridge/dm/session/index.js';

export const SERVER_URI = 'https://dm.example/dm';
export const DEV_ID = 'urn:dev:mac:0242ac110002';

export function makeConfig(over: Partial<SessionConfig> = {}): SessionConfig {
  let n = 0;
  return {
    serverId: 'dm.example',
    serverUri: SERVER_URI,
    devId: DEV_ID,
    clientName: 'Bruce2',
    clientSecret: 'OhBehave',
    serverSecret: null,
    authType: 'NONE',
    clientNonce: null,
    serverNonce: null,
    maxMsgSize: 10000,
    maxObjSize: 100000,
    devInfo: { DevId: DEV_ID, Man: 'Acme', Mod: 'HG-1', DmV: '1.2', Lang: 'en-US' },
    measure: (c: Command) => JSON.stringify(c).length,
    envelope: 300,
    newNonce: () => Buffer.from(`nonce-${++n}`).toString('base64'),
    ...over,
  };
}

export interface ServerOpts {
  final?: boolean;
  respUri?: string;
  maxMsgSize?: number;
  cred?: Message['header']['cred'];
  sessionId?: string;
}

export function serverMsg(msgId: number | string, commands: Command[], o: ServerOpts = {}): Message {
  const header: Message['header'] = {
    verDTD: '1.2',
    verProto: 'DM/1.2',
    sessionId: o.sessionId ?? '1',
    msgId: String(msgId),
    target: { locUri: DEV_ID },
    source: { locUri: SERVER_URI },
  };
  if (o.respUri) header.respUri = o.respUri;
  if (o.maxMsgSize) header.meta = { maxMsgSize: o.maxMsgSize };
  if (o.cred) header.cred = o.cred;
  return { header, commands, final: o.final ?? true };
}

/** The server's Status for our SyncHdr. */
export function hdrStatus(cmdId: string, msgRef: string, code: string, chal?: Chal): StatusCommand {
  const s: StatusCommand = { cmd: 'Status', cmdId, msgRef, cmdRef: '0', refCmd: 'SyncHdr', data: code };
  if (chal) s.chal = chal;
  return s;
}

export function chal(type: string, nextNonce?: string): Chal {
  return { meta: nextNonce === undefined ? { type, format: 'b64' } : { type, format: 'b64', nextNonce } };
}

export const b64 = (s: string): string => Buffer.from(s).toString('base64');

/** A session under test: keeps state, records everything sent. */
export class Driver {
  state: SessionState;
  sent: Message[] = [];
  effects: Effect[] = [];
  last: StepResult | undefined;
  constructor(readonly config: SessionConfig) {
    this.state = initialState(config);
  }
  step(input: SessionInput): StepResult {
    const r = step(this.config, this.state, input);
    // the state must stay a plain serializable record
    assert.deepEqual(JSON.parse(JSON.stringify(r.state)), r.state);
    this.state = r.state;
    if (r.send) this.sent.push(r.send.message);
    this.effects.push(...r.effects);
    this.last = r;
    return r;
  }
  start(trigger: 'client' | 'server' = 'client', sessionId = '1', alerts: Extract<SessionInput, { kind: 'start' }>['alerts'] = []): Message {
    const r = this.step({ kind: 'start', sessionId, trigger, alerts });
    assert.ok(r.send);
    return r.send.message;
  }
  receive(m: Message, mac?: 'ok' | 'bad' | 'absent'): StepResult {
    return this.step(mac === undefined ? { kind: 'received', message: m } : { kind: 'received', message: m, mac });
  }
  /** Answer an execute effect with the given replies (default: 200 each, Results for Get). */
  execute(r: StepResult, replies?: (cmds: Command[], msgRef: string) => ReplyDraft[]): StepResult {
    const ex = r.effects.find((e) => e.kind === 'execute');
    assert.ok(ex && ex.kind === 'execute', 'expected an execute effect');
    return this.step({ kind: 'executed', msgRef: ex.msgRef, replies: (replies ?? okReplies)(ex.commands, ex.msgRef) });
  }
  lastSent(): Message {
    const m = this.sent[this.sent.length - 1];
    assert.ok(m);
    return m;
  }
  doneEffect(): Extract<Effect, { kind: 'done' }> | undefined {
    return this.effects.find((e): e is Extract<Effect, { kind: 'done' }> => e.kind === 'done');
  }
}

/** Engine stand-in: a Status 200 per command (nested too), Results after a Get's Status. */
export function okReplies(cmds: Command[]): ReplyDraft[] {
  const out: ReplyDraft[] = [];
  for (const c of cmds) {
    if (c.cmd === 'Status' || c.cmd === 'Results') continue;
    out.push({ cmd: 'Status', cmdRef: c.cmdId, refCmd: c.cmd, data: '200' });
    if (c.cmd === 'Get') out.push({ cmd: 'Results', cmdRef: c.cmdId, items: c.items.map((i) => ({ source: { locUri: i.target?.locUri ?? '' }, data: 'v' })) });
    if (c.cmd === 'Atomic' || c.cmd === 'Sequence') out.push(...okReplies(c.commands));
  }
  return out;
}

export function get(cmdId: string, uri: string): ItemCommand {
  return { cmd: 'Get', cmdId, items: [{ target: { locUri: uri } }] };
}
export function replace(cmdId: string, uri: string, data: string): ItemCommand {
  return { cmd: 'Replace', cmdId, items: [{ target: { locUri: uri }, data }] };
}
export function alertCmd(cmdId: string, code: string): Command {
  return { cmd: 'Alert', cmdId, data: code, items: [] };
}

export function statuses(m: Message): StatusCommand[] {
  return m.commands.filter((c): c is StatusCommand => c.cmd === 'Status');
}
