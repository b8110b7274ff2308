import { BridgeError } from '../../core/errors.js';
import type { Command, Header, Message } from '../message.js';
import type { DecodeLimits } from './limits.js';
import type { DecodeResult } from './tree-decode.js';
import { decodeWbxml } from './wbxml-decode.js';
import { encodeWbxml, envelopeSizeWbxml, estimateCommandSizeWbxml } from './wbxml-encode.js';
import { decodeXml } from './xml-decode.js';
import { encodeXmlBytes, envelopeSize, estimateCommandSize } from './xml-encode.js';

/** DM 1.2/1.3 SyncML codecs: content type in, Message out, and back. Pure functions. */
export type { DecodeResult, UnknownCommand } from './tree-decode.js';
export { type DecodeLimits, DEFAULT_LIMITS } from './limits.js';
export { decodeXml } from './xml-decode.js';
export { encodeXml, encodeXmlBytes, encodeCommandXml, estimateCommandSize, envelopeSize } from './xml-encode.js';
export { decodeWbxml } from './wbxml-decode.js';
export { encodeWbxml, estimateCommandSizeWbxml, envelopeSizeWbxml } from './wbxml-encode.js';

export const CONTENT_TYPE_XML = 'application/vnd.syncml.dm+xml';
export const CONTENT_TYPE_WBXML = 'application/vnd.syncml.dm+wbxml';

export type SyncmlEncoding = 'xml' | 'wbxml';

/** The encoding a Content-Type names (parameters such as `; charset=utf-8` are ignored). */
export function encodingOf(contentType: string): SyncmlEncoding {
  const base = (contentType.split(';', 1)[0] ?? '').trim().toLowerCase();
  if (base === CONTENT_TYPE_XML) return 'xml';
  if (base === CONTENT_TYPE_WBXML) return 'wbxml';
  throw new BridgeError('BAD_FORMAT', `unsupported SyncML content type "${contentType.slice(0, 100)}"`);
}

export function contentTypeOf(encoding: SyncmlEncoding): string {
  return encoding === 'xml' ? CONTENT_TYPE_XML : CONTENT_TYPE_WBXML;
}

export function decodeMessage(body: Uint8Array, contentType: string, limits?: Partial<DecodeLimits>): DecodeResult {
  return encodingOf(contentType) === 'xml' ? decodeXml(body, limits) : decodeWbxml(body, limits);
}

export function encodeMessage(msg: Message, encoding: SyncmlEncoding): Uint8Array {
  return encoding === 'xml' ? encodeXmlBytes(msg) : encodeWbxml(msg);
}

/** Encoded size of one command: exact for XML, a tight upper bound (+2) for WBXML. */
export function commandSize(cmd: Command, encoding: SyncmlEncoding): number {
  return encoding === 'xml' ? estimateCommandSize(cmd) : estimateCommandSizeWbxml(cmd);
}

/** Encoded size of a message with no commands and Final. */
export function messageEnvelopeSize(header: Header, encoding: SyncmlEncoding): number {
  return encoding === 'xml' ? envelopeSize(header) : envelopeSizeWbxml(header);
}
