/**
 * Server side of one DM 1.2 session for the reference server: authentication of the client (and of
 * itself toward the client), statuses for the client's commands, scripted management commands,
 * multi-message packages (Alert 1222), outbound large objects (MoreData chunks) and the client's
 * chunked Results/Alerts, reassembled before they are recorded.
 */
import { AlertCode, type Command, type Header, type Item, type Message, type StatusCommand } from '../../bridge/dm/message.js';
import { AuthTypeUri, buildCred, generateNonce, nonceBytes, verifyCred, verifyHmac } from '../../bridge/dm/syncml/auth.js';
import { Reassembler } from './dm12-reassembly.js';
import type { SessionRecord, ServerShared } from './dm12-types.js';

export interface Incoming {
  message: Message;
  body: Uint8Array;
  hmacHeader: string | undefined;
  baseUrl: string;
}

export interface Reply {
  message: Message;
  /** Sign the encoded reply with x-syncml-hmac (name, secret, nonce b64). */
  hmac?: { username: string; secret: string; nonce: string | null };
}

export class ServerSession {
  private authenticated = false;
  private authFailures = 0;
  private nextMsgId = 1;
  private nextCmdId = 1;
  private serverAccepted = false;
  private readonly sent = new Map<string, Command>();
  /** Commands of the current step not sent yet (chunks of a large object included). */
  private outbox: Command[] = [];
  /** The client's chunked items (Results, Alerts) being joined. */
  private readonly chunks = new Reassembler();
  ended = false;

  constructor(
    readonly rec: SessionRecord,
    private readonly shared: ServerShared,
  ) {}

  handle(inc: Incoming): Reply {
    const m = inc.message;
    this.rec.received.push(m);
    const statuses: Command[] = [];
    const auth = this.authenticate(inc);
    statuses.push(this.status(m, '0', 'SyncHdr', auth.code, auth.chal, [m.header.target.locUri], [m.header.source.locUri]));
    if (!auth.ok) {
      for (const c of m.commands) if (c.cmd !== 'Status' && c.cmd !== 'Results') statuses.push(this.status(m, c.cmdId, c.cmd, auth.code));
      this.rec.authFailures++;
      if (this.authFailures > 2) this.end('auth-failed');
      return this.reply(m, inc, statuses, true);
    }
    let nextRequested = false;
    let aborted = false;
    for (const c of m.commands) {
      switch (c.cmd) {
        case 'Status':
          this.onStatus(c);
          break;
        case 'Results': {
          // no Status for Results (§2.4), chunk or not
          this.rec.rawResults.push(c);
          const whole = this.chunks.feed(c, `Results ${c.msgRef ?? ''}/${c.cmdRef}`);
          if (whole) this.rec.results.push(whole);
          break;
        }
        case 'Alert': {
          let a = c;
          if (c.items.length > 0 && (this.chunks.pending || c.items.some((i) => i.moreData))) {
            const whole = this.chunks.feed(c, `Alert ${c.data}`);
            if (!whole) {
              statuses.push(this.status(m, c.cmdId, 'Alert', '213'));
              break;
            }
            a = whole;
          }
          this.rec.alerts.push(a);
          if (c.data === AlertCode.NEXT_MESSAGE) nextRequested = true;
          if (c.data === AlertCode.SESSION_ABORT) aborted = true;
          const code = c.data === AlertCode.GENERIC_ALERT ? this.shared.opts.genericAlertStatus?.(a) ?? 200 : 200;
          statuses.push(this.status(m, c.cmdId, 'Alert', String(code)));
          break;
        }
        case 'Replace':
          for (const it of c.items) if (it.source?.locUri) this.rec.devInfo[it.source.locUri] = it.data ?? '';
          statuses.push(this.status(m, c.cmdId, 'Replace', '200'));
          break;
        default:
          statuses.push(this.status(m, c.cmdId, c.cmd, '406'));
      }
    }
    if (m.final) this.chunks.finish();
    this.rec.chunkErrors = this.chunks.errors;
    if (aborted) {
      this.end('aborted-by-client');
      return this.reply(m, inc, statuses, true);
    }
    if (nextRequested && this.outbox.length > 0) return this.sendOutbox(m, inc, statuses);
    if (!m.final) {
      const next: Command = { cmd: 'Alert', cmdId: this.cmdId(), data: AlertCode.NEXT_MESSAGE, items: [] };
      this.track(next);
      statuses.push(next);
      return this.reply(m, inc, statuses, false);
    }
    if (this.outbox.length > 0) return this.sendOutbox(m, inc, statuses);
    const stepCmds = this.shared.steps.shift();
    if (stepCmds === 'abort') {
      this.end('aborted-by-server');
      const abort: Command = { cmd: 'Alert', cmdId: this.cmdId(), data: AlertCode.SESSION_ABORT, items: [] };
      this.track(abort);
      statuses.push(abort);
      return this.reply(m, inc, statuses, true);
    }
    if (!stepCmds || stepCmds.length === 0) {
      this.end('ok');
      return this.reply(m, inc, statuses, true);
    }
    this.outbox = stepCmds.flatMap((c) => this.chunk(this.number(c)));
    return this.sendOutbox(m, inc, statuses);
  }

  private sendOutbox(m: Message, inc: Incoming, statuses: Command[]): Reply {
    const out = [...statuses];
    while (this.outbox.length > 0) {
      const c = this.outbox.shift()!;
      out.push(c);
      this.track(c);
      if ('items' in c && c.items?.some((i) => i.moreData)) return this.reply(m, inc, out, false);
    }
    return this.reply(m, inc, out, true);
  }

  /** Authenticate the client's message (PROTOCOL.md §2.9). */
  private authenticate(inc: Incoming): { ok: boolean; code: string; chal?: StatusCommand['chal'] } {
    const o = this.shared.opts;
    const hdr = inc.message.header;
    if (o.authType === 'NONE') return { ok: true, code: '200' };
    if (o.authType === 'HMAC') {
      const check = verifyHmac(inc.hmacHeader, { username: o.clientName, secret: o.clientSecret, nonce: nonceBytes(this.shared.clientNonce), body: inc.body });
      const chal = this.newChal(AuthTypeUri.HMAC);
      if (check === 'ok') {
        this.authenticated = true;
        return { ok: true, code: '200', chal };
      }
      this.authFailures++;
      return { ok: false, code: check === 'missing' ? '407' : '401', chal };
    }
    if (this.authenticated) return { ok: true, code: '200' };
    const type = o.authType;
    const check = verifyCred(hdr.cred, { type, name: o.clientName, secret: o.clientSecret, nonces: [nonceBytes(this.shared.clientNonce)] });
    const stale = check === 'ok' && type === 'DIGEST' && o.staleNonceOnce === true && !this.shared.staleUsed;
    if (check === 'ok' && !stale) {
      this.authenticated = true;
      return { ok: true, code: '212', ...(type === 'DIGEST' ? { chal: this.newChal(AuthTypeUri.DIGEST) } : {}) };
    }
    if (stale) this.shared.staleUsed = true;
    this.authFailures++;
    const chal = type === 'DIGEST' ? this.newChal(AuthTypeUri.DIGEST) : { meta: { type: AuthTypeUri.BASIC, format: 'b64' } };
    return { ok: false, code: check === 'missing' ? '407' : '401', chal };
  }

  private newChal(type: string): NonNullable<StatusCommand['chal']> {
    const nonce = generateNonce();
    this.shared.clientNonce = nonce;
    return { meta: { type, format: 'b64', nextNonce: nonce } };
  }

  private onStatus(s: StatusCommand): void {
    if (s.cmdRef === '0') {
      if (s.data === '212' || s.data === '200') this.serverAccepted = true;
      if (s.chal?.meta.nextNonce) this.shared.serverNonce = s.chal.meta.nextNonce;
      this.rec.headerStatuses.push(s.data);
      return;
    }
    const c = this.sent.get(`${s.msgRef}:${s.cmdRef}`);
    this.rec.statuses.push({ cmd: s.refCmd, cmdRef: s.cmdRef, code: Number(s.data), matched: c !== undefined && c.cmd === s.refCmd, status: s });
  }

  private reply(m: Message, inc: Incoming, commands: Command[], final: boolean): Reply {
    const o = this.shared.opts;
    const header: Header = {
      verDTD: '1.2',
      verProto: 'DM/1.2',
      sessionId: m.header.sessionId,
      msgId: String(this.nextMsgId++),
      target: { locUri: m.header.source.locUri },
      source: { locUri: inc.baseUrl + '/dm', locName: o.serverId },
    };
    if (o.respUri) header.respUri = `${inc.baseUrl}/dm/s/${encodeURIComponent(m.header.sessionId)}`;
    if (o.maxMsgSize || o.maxObjSize) {
      header.meta = { ...(o.maxMsgSize ? { maxMsgSize: o.maxMsgSize } : {}), ...(o.maxObjSize ? { maxObjSize: o.maxObjSize } : {}) };
    }
    const srvSecret = o.serverSecret;
    if (srvSecret && !this.serverAccepted && (o.authType === 'BASIC' || o.authType === 'DIGEST')) {
      const cred = buildCred(o.authType, o.serverId, o.serverCredSecret ?? srvSecret, this.shared.serverNonce);
      if (cred) header.cred = cred;
    }
    const message: Message = { header, commands, final };
    this.rec.sent.push(message);
    if (srvSecret && o.authType === 'HMAC') return { message, hmac: { username: o.serverId, secret: srvSecret, nonce: this.shared.serverNonce } };
    return { message };
  }

  private status(m: Message, cmdRef: string, cmd: string, code: string, chal?: StatusCommand['chal'], targetRefs?: string[], sourceRefs?: string[]): StatusCommand {
    const s: StatusCommand = { cmd: 'Status', cmdId: this.cmdId(), msgRef: m.header.msgId, cmdRef, refCmd: cmd, data: code };
    if (chal) s.chal = chal;
    if (targetRefs) s.targetRefs = targetRefs;
    if (sourceRefs) s.sourceRefs = sourceRefs;
    return s;
  }

  private cmdId(): string {
    return String(this.nextCmdId++);
  }

  private number(c: Command): Command {
    const copy = { ...c, cmdId: this.cmdId() } as Command;
    if (copy.cmd === 'Atomic' || copy.cmd === 'Sequence') copy.commands = copy.commands.map((s) => this.number(s));
    return copy;
  }

  /** Split an Add/Replace whose data exceeds the chunk size into MoreData chunks (same CmdID rule: new CmdIDs). */
  private chunk(c: Command): Command[] {
    const size = this.shared.opts.chunkSize;
    if (!size || (c.cmd !== 'Add' && c.cmd !== 'Replace') || c.items.length !== 1) return [c];
    const item = c.items[0]!;
    const data = item.data ?? '';
    if (data.length <= size) return [c];
    const parts: Command[] = [];
    for (let off = 0; off < data.length; off += size) {
      const last = off + size >= data.length;
      const it: Item = { ...item, data: data.slice(off, off + size) };
      if (off === 0) it.meta = { ...(item.meta ?? {}), size: Buffer.byteLength(data) };
      else if (it.meta) {
        const { size: _s, ...rest } = it.meta;
        it.meta = rest;
      }
      if (!last) it.moreData = true;
      parts.push({ ...c, cmdId: off === 0 ? c.cmdId : this.cmdId(), items: [it] });
    }
    return parts;
  }

  private track(c: Command): void {
    this.sent.set(`${this.nextMsgId}:${c.cmdId}`, c);
    if (c.cmd === 'Atomic' || c.cmd === 'Sequence') for (const s of c.commands) this.track(s);
  }

  private end(outcome: string): void {
    this.ended = true;
    this.rec.outcome = outcome;
    this.shared.onEnd(this.rec);
  }
}
