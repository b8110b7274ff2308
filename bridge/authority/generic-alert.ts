import { AlertCode, type AlertDraft } from '../dm/message.js';
import type { AsyncExecResult } from '../dm/engine.js';

/** Alert type of the Generic Alert that reports an asynchronous Exec result. */
export const EXEC_RESULT_TYPE = 'org.dmbridge.exec.result';

/** The Generic Alert (1226) that carries an async Exec result, with the Exec's Correlator. */
export function execResultAlert(r: AsyncExecResult): AlertDraft {
  const a: AlertDraft = {
    cmd: 'Alert',
    data: AlertCode.GENERIC_ALERT,
    items: [{ source: { locUri: r.uri }, meta: { type: EXEC_RESULT_TYPE, format: 'int', mark: 'informational' }, data: String(r.status) }],
  };
  if (r.correlator !== undefined) a.correlator = r.correlator;
  return a;
}
