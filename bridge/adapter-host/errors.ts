import { AdapterError, BadValue } from '../../adapters/sdk/index.js';
import { BridgeError } from '../core/errors.js';
import type { Outcome } from '../tree/types.js';

const MAX_REASON = 240;
const msg = (e: Error): string => e.message.slice(0, MAX_REASON);

/** An adapter's failure as a BridgeError (its DM status): the one mapping of adapter errors. */
export function toBridgeError(err: unknown): BridgeError {
  if (err instanceof BridgeError) return err;
  if (err instanceof AdapterError) {
    switch (err.code) {
      case 'DEVICE_UNREACHABLE':
        return new BridgeError('DEVICE_UNREACHABLE', `device unreachable: ${msg(err)}`, { cause: err });
      case 'NOT_SUPPORTED':
        return new BridgeError('NOT_SUPPORTED', msg(err), { cause: err });
      case 'BAD_VALUE':
        return new BridgeError(err instanceof BadValue && err.format ? 'BAD_FORMAT' : 'BAD_VALUE', msg(err), { cause: err });
      case 'TIMEOUT':
        return new BridgeError('TIMEOUT', `device timeout: ${msg(err)}`, { cause: err });
      default:
        return new BridgeError('INTERNAL', `device error: ${msg(err)}`, { cause: err });
    }
  }
  const e = err instanceof Error ? err : new Error(String(err));
  return new BridgeError('INTERNAL', `adapter failed: ${msg(e)}`, { cause: e });
}

/** A failure as a tree Outcome (status + reason). */
export function failure(err: unknown): Outcome {
  const e = toBridgeError(err);
  return { status: e.status, reason: e.message };
}
