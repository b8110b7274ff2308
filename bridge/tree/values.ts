import { Status } from '../core/status.js';
import { FORMATS, type Format, type Outcome } from './types.js';

const INT = /^[+-]?\d+$/;
const FLOAT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const B64 = /^[A-Za-z0-9+/\s]*={0,2}\s*$/;
const DATE = /^\d{4}-?\d{2}-?\d{2}$/;
const TIME = /^\d{2}:?\d{2}(:?\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;

export function isFormat(f: string): f is Format {
  return (FORMATS as readonly string[]).includes(f);
}

/** Check a leaf value against its Format: 415 for an unknown format, 400 for a value that does not fit. */
export function checkValue(format: string, value: string | undefined): Outcome {
  if (!isFormat(format)) return { status: Status.UNSUPPORTED_MEDIA_TYPE, reason: `unknown format "${format}"` };
  const v = value ?? '';
  const ok = (() => {
    switch (format) {
      case 'int':
        return INT.test(v);
      case 'float':
        return FLOAT.test(v);
      case 'bool':
        return v === 'true' || v === 'false';
      case 'b64':
      case 'bin':
        return B64.test(v);
      case 'date':
        return v === '' || DATE.test(v);
      case 'time':
        return v === '' || TIME.test(v);
      case 'null':
        return v === '';
      default:
        return true;
    }
  })();
  return ok ? { status: Status.OK } : { status: Status.BAD_REQUEST, reason: `value does not match format ${format}` };
}

/** Unencoded size in bytes of a leaf value (bin/b64 are stored as base64 text). */
export function valueSize(format: Format, value: string): number {
  if (format === 'bin' || format === 'b64') return Buffer.from(value, 'base64').length;
  return Buffer.byteLength(value, 'utf8');
}
