import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import { Engine, type EngineSession } from '../../bridge/dm/engine.js';
import type { Command, Header, ItemCommand, Message } from '../../bridge/dm/message.js';
import { initialState, step, type SessionConfig, type SessionState } from '../../bridge/dm/session/index.js';
import {
  commandSize, CONTENT_TYPE_XML, decodeMessage, encodeMessage, encodeXml, messageEnvelopeSize,
} from '../../bridge/dm/syncml/index.js';
import { openStore } from '../../bridge/store/db.js';
import { createTree } from '../../bridge/tree/index.js';
import { authority, treeConfig } from '../unit/tree/helpers.js';
import { buildGetPackage } from './syncml-codec.bench.js';
import { fmt, measureAsync, median } from './util.js';

/**
 * DM 1.2 full cycle on one server package of N Gets against a 1,000-leaf tree (real SQLite file,
 * Get rights for the ServerID via ACL, every Get hits an existing leaf):
 *   decodeMessage(bytes) -> EngineSession.execute -> reply Message (Status SyncHdr + Status and
 *   Results per Get, CmdIDs/MsgRef as the session assigns them) -> encodeMessage.
 * Second line: the same cycle through the session state machine (step 'received' / 'executed').
 * Baseline in the same run: bare fast-xml-parser parse of the same bytes + XMLBuilder build of the
 * same reply document. Context: the issue quotes libdmclient (C) at ~160,000 commands/s.
 */

const LEAVES = 1000;
const PER_DIR = 100;
const SID = 'dm.bench.example';
const DEV_ID = 'IMEI:493005100592800';
const SERVER_URI = 'https://dm.example.com/dm';
const LIBDMCLIENT_CMDS_PER_S = 160_000;
const RUNS = 5;

const leafUri = (i: number): string => `./Data/D${Math.floor(i / PER_DIR)}/L${i % PER_DIR}`;

/** The codec bench's package with every Get pointed at an existing leaf (spread over the tree). */
function getPackage(n: number): Message {
  const pkg = buildGetPackage(n);
  let i = 0;
  const commands = pkg.commands.map((c): Command => {
    if (c.cmd !== 'Get') return c;
    const g: ItemCommand = { ...c, items: [{ target: { locUri: leafUri((i++ * 7919) % LEAVES) } }] };
    return g;
  });
  return { ...pkg, commands };
}

/** What the session sends back: Status for the SyncHdr first, then the engine's replies, numbered. */
function buildReply(m: Message, replies: readonly (Omit<Command, 'cmdId'> & { cmd: 'Status' | 'Results' })[]): Message {
  const h = m.header;
  const commands: Command[] = [
    { cmd: 'Status', cmdId: '1', msgRef: h.msgId, cmdRef: '0', refCmd: 'SyncHdr', targetRefs: [h.target.locUri], sourceRefs: [h.source.locUri], data: '200' },
  ];
  let id = 2;
  // CmdID/MsgRef first, then the draft's fields (note: `{ ...r, cmdId, msgRef }` objects encode ~2.5x slower in V8)
  for (const r of replies) commands.push({ cmdId: String(id++), msgRef: h.msgId, ...r } as Command);
  return {
    header: { verDTD: '1.2', verProto: 'DM/1.2', sessionId: h.sessionId, msgId: '2', target: h.source, source: h.target, meta: { maxMsgSize: 1_000_000 } },
    commands,
    final: true,
  };
}

function sessionConfig(): SessionConfig {
  const sample: Header = {
    verDTD: '1.2', verProto: 'DM/1.2', sessionId: 'FFFF', msgId: '99999',
    target: { locUri: SERVER_URI }, source: { locUri: DEV_ID },
    meta: { maxMsgSize: 1_000_000, maxObjSize: 4 * 1024 * 1024 },
  };
  return {
    serverId: SID, serverUri: SERVER_URI, devId: DEV_ID, clientName: 'gw-bench', clientSecret: 'x', serverSecret: null,
    authType: 'NONE', clientNonce: null, serverNonce: null, maxMsgSize: 1_000_000, maxObjSize: 4 * 1024 * 1024,
    devInfo: { DevId: DEV_ID, Man: 'Acme', Mod: 'HG-1', DmV: '1.2', Lang: 'en-US' },
    measure: (cmd) => commandSize(cmd, 'xml'),
    envelope: messageEnvelopeSize(sample, 'xml') + 64,
  };
}

/** One cycle through the state machine from `waiting` (after Package #1): received -> execute -> executed -> encode. */
async function sessionCycle(config: SessionConfig, waiting: SessionState, es: EngineSession, bytes: Uint8Array): Promise<Uint8Array> {
  const { message, unknown } = decodeMessage(bytes, CONTENT_TYPE_XML);
  const r1 = step(config, waiting, { kind: 'received', message, unknown });
  const ex = r1.effects.find((e) => e.kind === 'execute');
  if (!ex || ex.kind !== 'execute') throw new Error(`no execute effect: ${JSON.stringify(r1.effects)}`);
  const x = await es.execute(ex.commands);
  const r2 = step(config, r1.state, { kind: 'executed', msgRef: ex.msgRef, replies: x.replies, alerts: x.alerts });
  if (!r2.send || !r2.send.message.final) throw new Error('expected one final reply message');
  return encodeMessage(r2.send.message, 'xml');
}

export default async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'dmb-bench-cycle-'));
  const store = openStore(join(dir, 'tree.db'));
  try {
    const { tree } = createTree({ store, config: treeConfig([authority('bench', SID)]) });
    store.transaction(() => {
      for (let i = 0; i < LEAVES; i++) tree.add(leafUri(i), { format: 'chr', data: `Living room lamp ${i}` }, null);
    });
    tree.replace('./Data?prop=ACL', { data: `Get=${SID}` }, null);
    const engine = new Engine({ tree });
    const es = engine.open(SID);

    const config = sessionConfig();
    const started = step(config, initialState(config), { kind: 'start', sessionId: '1A2F', trigger: 'client' });
    const waiting = started.state; // Package #1 sent (MsgID 1); the package below is the server's answer

    const parser = new XMLParser({ preserveOrder: true, ignoreAttributes: false, parseTagValue: false, removeNSPrefix: false });
    const builder = new XMLBuilder({ preserveOrder: true, ignoreAttributes: false, suppressEmptyNode: true });
    const enc = new TextEncoder();
    const dec = new TextDecoder();

    console.log(`dm12-cycle: decode + execute + encode of a package of N Gets, tree of ${fmt(LEAVES)} leaves (SQLite, ACL-checked), XML, median of ${RUNS} runs`);
    console.log(`  (cmd/s = server Gets handled per second; libdmclient (C) full cycle for context: ~${fmt(LIBDMCLIENT_CMDS_PER_S)} cmd/s)`);
    for (const n of [20, 200, 1000]) {
      const bytes = encodeMessage(getPackage(n), 'xml');
      // check once: every Get answers 200 with a Results, and both paths produce the same size
      const first = await es.execute(decodeMessage(bytes, CONTENT_TYPE_XML).message.commands);
      const statuses = first.replies.filter((r) => r.cmd === 'Status');
      if (statuses.length !== n || statuses.some((s) => s.cmd === 'Status' && s.data !== '200')) {
        throw new Error(`unexpected statuses: ${JSON.stringify(statuses.slice(0, 3))}`);
      }
      if (first.replies.filter((r) => r.cmd === 'Results').length !== n) throw new Error('missing Results');
      const replyMsg = buildReply(decodeMessage(bytes, CONTENT_TYPE_XML).message, first.replies);
      const replyTree: unknown = parser.parse(encodeXml(replyMsg));
      const viaSession = await sessionCycle(config, waiting, es, bytes);
      const sessionReply = decodeMessage(viaSession, CONTENT_TYPE_XML).message;
      if (sessionReply.commands.length !== 1 + 2 * n) throw new Error(`session reply has ${sessionReply.commands.length} commands, want ${1 + 2 * n}`);
      const engineReplyBytes = encodeMessage(replyMsg, 'xml').length;

      let sink = 0;
      const ours = async (): Promise<void> => {
        const { message } = decodeMessage(bytes, CONTENT_TYPE_XML);
        const toRun = message.commands.filter((c) => c.cmd !== 'Status' && c.cmd !== 'Results');
        const x = await es.execute(toRun);
        sink += encodeMessage(buildReply(message, x.replies), 'xml').length;
      };
      const session = async (): Promise<void> => {
        sink += (await sessionCycle(config, waiting, es, bytes)).length;
      };
      const base = async (): Promise<void> => {
        const t = parser.parse(dec.decode(bytes)) as unknown[];
        sink += t.length + enc.encode(builder.build(replyTree) as string).length;
      };
      const minMs = n >= 1000 ? 400 : 250;
      const o: number[] = [], s: number[] = [], b: number[] = [];
      for (let r = 0; r < RUNS; r++) {
        o.push((await measureAsync(ours, { minMs })).usPerOp);
        s.push((await measureAsync(session, { minMs })).usPerOp);
        b.push((await measureAsync(base, { minMs })).usPerOp);
      }
      const om = median(o), sm = median(s), bm = median(b);
      const line = (label: string, us: number): string =>
        `  N=${String(n).padStart(4)} ${label.padEnd(8)} ${fmt(us, 1).padStart(9)} µs/pkg ${fmt((n * 1e6) / us).padStart(9)} cmd/s` +
        `  | fast-xml-parser ${fmt(bm, 1).padStart(9)} µs/pkg  | ratio ours/baseline ${fmt(us / bm, 2)}${us / bm < 1 ? '' : ' (target < 1.0 MISSED)'}` +
        `  | vs libdmclient ${fmt((n * 1e6) / us / LIBDMCLIENT_CMDS_PER_S, 2)}x`;
      console.log(line('engine', om));
      console.log(line('session', sm) + `  [pkg ${fmt(bytes.length)} B, reply ${fmt(engineReplyBytes)} / ${fmt(viaSession.length)} B]${sink < 0 ? '!' : ''}`);
    }
    es.close();
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
