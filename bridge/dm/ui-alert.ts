import { Status } from '../core/status.js';
import { AlertCode, type AlertCommand, type Item } from './message.js';

export interface UiAnswer {
  status: number;
  items?: Item[];
}

/**
 * Headless answers to the user-interaction alerts 1100-1104 (PROTOCOL.md §2.6): a gateway has no
 * screen, so it answers with the server's default response (DR) when one is given, with 408 when
 * the server set a maximum display time (MAXDT: no user answered in time), else 215 (not executed).
 * Options are URL-encoded in the first Item's Data; unknown ones are skipped.
 */
export function answerUiAlert(alert: AlertCommand): UiAnswer {
  const opts = parseOptions(alert.items[0]?.data ?? '');
  const dr = opts.get('DR');
  switch (alert.data) {
    case AlertCode.DISPLAY:
      return { status: Status.OK };
    case AlertCode.CONFIRM:
      if (dr === '1') return { status: Status.OK };
      if (dr === '0') return { status: Status.NOT_MODIFIED };
      return noAnswer(opts);
    case AlertCode.TEXT_INPUT:
    case AlertCode.SINGLE_CHOICE:
    case AlertCode.MULTIPLE_CHOICE:
      if (dr !== undefined) return { status: Status.OK, items: [{ data: dr }] };
      return noAnswer(opts);
    default:
      return { status: Status.OPTIONAL_FEATURE_NOT_SUPPORTED };
  }
}

export function isUiAlert(code: string): boolean {
  return code >= AlertCode.DISPLAY && code <= AlertCode.MULTIPLE_CHOICE && code.length === 4;
}

function noAnswer(opts: Map<string, string>): UiAnswer {
  return opts.has('MAXDT') ? { status: Status.REQUEST_TIMEOUT } : { status: Status.NOT_EXECUTED };
}

function parseOptions(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of text.split('&')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const key = part.slice(0, eq).trim().toUpperCase();
    try {
      out.set(key, decodeURIComponent(part.slice(eq + 1).replace(/\+/g, ' ')));
    } catch {
      out.set(key, part.slice(eq + 1));
    }
  }
  return out;
}
