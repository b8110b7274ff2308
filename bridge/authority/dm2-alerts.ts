import { decodeAlert } from '../dm/dm2/index.js';
import type { Dm2Alert } from '../dm/dm2-message.js';
import type { AlertDraft } from '../dm/message.js';

/**
 * Outbox payloads for a DM 2.0 authority: either a binding alert (what the subscription listener
 * queues) or a DM 1.2 AlertDraft (Generic Alert 1226, e.g. an async Exec result queued by the
 * engine hook, or a device event), converted to the binding's alert form. Undefined: unusable.
 */
export function toDm2Alert(payload: string): Dm2Alert | undefined {
  let v: unknown;
  try {
    v = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (typeof v === 'object' && v !== null && (v as { cmd?: unknown }).cmd === 'Alert') return fromDraft(v as AlertDraft);
  try {
    return decodeAlert(v);
  } catch {
    return undefined;
  }
}

function fromDraft(a: AlertDraft): Dm2Alert | undefined {
  const item = a.items?.[0];
  const type = item?.meta?.type;
  if (!type) return undefined;
  const out: Dm2Alert = { type, correlator: a.correlator ?? null };
  if (item.source?.locUri) out.source = item.source.locUri;
  if (item.data !== undefined) {
    const fmt = item.meta?.format;
    const n = Number(item.data);
    out.data = fmt === 'int' && Number.isFinite(n) ? n : item.data;
  }
  return out;
}
