import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import type { Command, Message } from '../../bridge/dm/message.js';
import { decodeXml, encodeXml, encodeXmlBytes } from '../../bridge/dm/syncml/index.js';

/**
 * SyncML XML codec benchmark: decode a server package of N Gets, encode the client reply
 * (Status for SyncHdr + N Status + N Results). Baseline in the same run: bare fast-xml-parser
 * (preserveOrder parse of the package + XMLBuilder build of the reply). Target ratio < 1.0.
 */

/** A server package (Package #2 style) holding `n` Get commands on DevInfo-like leaves. */
export function buildGetPackage(n: number): Message {
  const commands: Command[] = [
    { cmd: 'Status', cmdId: '1', msgRef: '1', cmdRef: '0', refCmd: 'SyncHdr', data: '212' },
  ];
  for (let i = 0; i < n; i++) {
    commands.push({ cmd: 'Get', cmdId: String(i + 2), items: [{ target: { locUri: `./Vendor/Lan/Dev${i}/Name` } }] });
  }
  return {
    header: {
      verDTD: '1.2', verProto: 'DM/1.2', sessionId: '1A2F', msgId: '2',
      target: { locUri: 'IMEI:493005100592800' }, source: { locUri: 'https://dm.example.com/dm' },
      meta: { maxMsgSize: 1_000_000 },
    },
    commands,
    final: true,
  };
}

/** The client reply to `pkg`: Status for SyncHdr, one Status per Get and one Results per Get. */
export function buildGetReply(pkg: Message): Message {
  const h = pkg.header;
  const commands: Command[] = [
    { cmd: 'Status', cmdId: '1', msgRef: h.msgId, cmdRef: '0', refCmd: 'SyncHdr', targetRefs: [h.target.locUri], sourceRefs: [h.source.locUri], data: '200' },
  ];
  let id = 2;
  for (const c of pkg.commands) {
    if (c.cmd !== 'Get') continue;
    const uri = c.items[0]?.target?.locUri ?? '';
    commands.push({ cmd: 'Status', cmdId: String(id++), msgRef: h.msgId, cmdRef: c.cmdId, refCmd: 'Get', data: '200' });
    commands.push({
      cmd: 'Results', cmdId: String(id++), msgRef: h.msgId, cmdRef: c.cmdId,
      items: [{ source: { locUri: uri }, meta: { format: 'chr', type: 'text/plain' }, data: `Living room lamp ${c.cmdId}` }],
    });
  }
  return {
    header: { verDTD: '1.2', verProto: 'DM/1.2', sessionId: h.sessionId, msgId: '3', target: h.source, source: h.target },
    commands,
    final: true,
  };
}

function timeUs(fn: () => void, minMs = 300): number {
  for (let i = 0; i < 5; i++) fn();
  let iters = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < minMs) {
    fn();
    iters++;
    t = performance.now();
  }
  return ((t - t0) * 1000) / iters;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

export default async function run(): Promise<void> {
  const parser = new XMLParser({ preserveOrder: true, ignoreAttributes: false, parseTagValue: false, removeNSPrefix: false });
  const builder = new XMLBuilder({ preserveOrder: true, ignoreAttributes: false, suppressEmptyNode: true });
  const enc = new TextEncoder();
  console.log('syncml-codec: decode package of N Gets + encode reply (N Status + N Results), XML');
  for (const n of [20, 200, 1000]) {
    const pkg = buildGetPackage(n);
    const reply = buildGetReply(pkg);
    const pkgBytes = enc.encode(encodeXml(pkg));
    const pkgText = new TextDecoder().decode(pkgBytes);
    const replyTree: unknown = parser.parse(encodeXml(reply));
    let sink = 0;
    const ours = (): void => {
      const r = decodeXml(pkgBytes);
      sink += r.message.commands.length + encodeXmlBytes(reply).length;
    };
    const base = (): void => {
      const tree = parser.parse(new TextDecoder().decode(pkgBytes)) as unknown[];
      sink += tree.length + enc.encode(builder.build(replyTree) as string).length;
    };
    const oursRuns: number[] = [];
    const baseRuns: number[] = [];
    const ms = n >= 1000 ? 400 : 200;
    for (let r = 0; r < 5; r++) {
      oursRuns.push(timeUs(ours, ms));
      baseRuns.push(timeUs(base, ms));
    }
    const o = median(oursRuns);
    const b = median(baseRuns);
    const cmds = 1 + n + 1 + 2 * n; // package + reply commands handled per cycle
    console.log(
      `  N=${String(n).padStart(4)}  ours ${o.toFixed(1).padStart(9)} µs/pkg ${Math.round((cmds * 1e6) / o).toLocaleString('en').padStart(11)} cmd/s` +
        `  | fast-xml-parser ${b.toFixed(1).padStart(9)} µs/pkg` +
        `  | ratio ours/baseline ${(o / b).toFixed(3)}${o / b < 1 ? '' : '  (target < 1.0 MISSED)'}` +
        `  [pkg ${pkgText.length} B]${sink < 0 ? '!' : ''}`,
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
