import { readFileSync } from 'node:fs';
import { BridgeError } from '../core/errors.js';
import type { TlsSettings } from './http-transport.js';

const cache = new Map<string, string>();

/** A config value is PEM text itself or the path of a PEM file. */
function pem(value: string | null, what: string): string | null {
  if (value === null) return null;
  if (value.includes('-----BEGIN')) return value;
  const hit = cache.get(value);
  if (hit !== undefined) return hit;
  try {
    const text = readFileSync(value, 'utf8');
    cache.set(value, text);
    return text;
  } catch (err) {
    throw new BridgeError('CONFIG_INVALID', `cannot read ${what} ${value}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** A pin given as base64 becomes hex, as the transport compares it. */
function pinHex(pin: string | null): string | null {
  if (pin === null) return null;
  const bare = pin.replace(/:/g, '');
  return /^[A-Fa-f0-9]{64}$/.test(bare) ? bare.toLowerCase() : Buffer.from(pin, 'base64').toString('hex');
}

/** Resolve an authority's TLS settings (paths or PEM text) into PEM material for the transport. */
export function loadTls(t: TlsSettings): TlsSettings {
  return { ca: pem(t.ca, 'tls.ca'), cert: pem(t.cert, 'tls.cert'), key: pem(t.key, 'tls.key'), pinSha256: pinHex(t.pinSha256) };
}
