import { type DecodeLimits, checkInputSize, malformed, resolveLimits } from './limits.js';
import { type DecodeResult, treeToMessage } from './tree-decode.js';
import { scanXml } from './xml-scan.js';

export type { DecodeResult, UnknownCommand } from './tree-decode.js';

/**
 * SyncML XML -> Message. A specialised scanner (xml-scan.ts) builds a small element tree,
 * tree-decode.ts maps it to the Message model.
 *
 * Unknown commands: a command element the bridge does not implement does not fail the message;
 * it is listed in `unknown` (name, CmdID, position) so the session can answer it with 406.
 * Structural problems (no SyncHdr, a command without CmdID, bad nesting, truncation ...) throw
 * BridgeError MESSAGE_MALFORMED; limit violations throw MESSAGE_TOO_LARGE.
 */
export function decodeXml(input: Uint8Array | string, limits?: Partial<DecodeLimits>): DecodeResult {
  const lim = resolveLimits(limits);
  let text: string;
  if (typeof input === 'string') {
    checkInputSize(input.length, lim);
    text = input;
  } else {
    checkInputSize(input.byteLength, lim);
    text = bytesToText(input);
  }
  return treeToMessage(scanXml(text, lim), lim);
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** UTF-8 unless the XML declaration names another single-byte charset we can read. */
function bytesToText(bytes: Uint8Array): string {
  let label = 'utf-8';
  if (bytes[0] === 0x3c && bytes[1] === 0x3f) {
    const head = String.fromCharCode(...bytes.subarray(0, Math.min(bytes.length, 200)));
    const end = head.indexOf('?>');
    const m = /encoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(end < 0 ? head : head.slice(0, end));
    if (m?.[1]) label = m[1].toLowerCase();
  }
  if (label === 'utf-8' || label === 'utf8') {
    try {
      return utf8.decode(bytes);
    } catch {
      throw malformed('body is not valid UTF-8');
    }
  }
  if (['iso-8859-1', 'latin1', 'us-ascii', 'ascii', 'windows-1252'].includes(label)) {
    return new TextDecoder(label).decode(bytes);
  }
  throw malformed(`unsupported XML encoding ${label}`);
}
