import { Status } from '../core/status.js';
import type { Item, ItemCommand } from './message.js';

/** A chunked item being received (PROTOCOL.md §2.4: MoreData, 213, commit on the last chunk). */
export interface PendingObject {
  cmd: 'Add' | 'Replace';
  target: string;
  format?: string;
  type?: string;
  declaredSize: number;
  chunks: string[];
  received: number;
}

export type ChunkStep =
  | { kind: 'buffered'; status: number } // 213: keep going
  | { kind: 'complete'; data: string } // last chunk arrived, sizes match
  | { kind: 'error'; status: number; reason: string };

/** Start or continue a chunked object for one Item of an Add/Replace. */
export function takeChunk(pending: PendingObject | null, cmd: ItemCommand, item: Item, maxObjSize: number): { pending: PendingObject | null; step: ChunkStep } {
  const data = item.data ?? '';
  let p = pending;
  if (!p) {
    const declared = item.meta?.size ?? cmd.meta?.size;
    if (declared === undefined) {
      return { pending: null, step: { kind: 'error', status: Status.INCOMPLETE_COMMAND, reason: 'first chunk without Meta Size' } };
    }
    if (declared > maxObjSize) {
      return { pending: null, step: { kind: 'error', status: Status.REQUEST_ENTITY_TOO_LARGE, reason: `object of ${declared} bytes exceeds MaxObjSize ${maxObjSize}` } };
    }
    p = { cmd: cmd.cmd as 'Add' | 'Replace', target: item.target?.locUri ?? '', declaredSize: declared, chunks: [], received: 0 };
    const format = item.meta?.format ?? cmd.meta?.format;
    const type = item.meta?.type ?? cmd.meta?.type;
    if (format !== undefined) p.format = format;
    if (type !== undefined) p.type = type;
  }
  p.chunks.push(data);
  p.received += Buffer.byteLength(data);
  if (p.received > p.declaredSize && !isB64(p)) {
    return { pending: null, step: { kind: 'error', status: Status.SIZE_MISMATCH, reason: 'more data than the declared Size' } };
  }
  if (item.moreData) return { pending: p, step: { kind: 'buffered', status: Status.CHUNK_ACCEPTED } };
  const all = p.chunks.join('');
  const size = Buffer.byteLength(all);
  const decoded = isB64(p) ? Buffer.from(all, 'base64').length : size;
  if (size !== p.declaredSize && decoded !== p.declaredSize) {
    return { pending: null, step: { kind: 'error', status: Status.SIZE_MISMATCH, reason: `received ${size} bytes, declared ${p.declaredSize}` } };
  }
  return { pending: null, step: { kind: 'complete', data: all } };
}

/** Does this command continue the pending object (same command and target)? */
export function continues(pending: PendingObject, cmd: ItemCommand): boolean {
  return cmd.cmd === pending.cmd && cmd.items.length === 1 && cmd.items[0]?.target?.locUri === pending.target;
}

function isB64(p: PendingObject): boolean {
  return p.format === 'b64' || p.format === 'bin';
}
