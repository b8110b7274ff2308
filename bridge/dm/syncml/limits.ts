import { BridgeError } from '../../core/errors.js';

/**
 * Resource limits applied while decoding a SyncML message (XML or WBXML). Every decoder checks
 * them as it goes, so an oversize or hostile input fails with a BridgeError before it can use
 * unbounded time or memory.
 */
export interface DecodeLimits {
  /** Largest accepted message body in bytes (checked before any parsing). */
  maxInputBytes: number;
  /** Deepest element nesting (SyncML itself needs about 10; Atomic/Sequence add levels). */
  maxDepth: number;
  /** Most elements in one message. */
  maxElements: number;
  /** Longest single text value (one Data, LocURI ...), in UTF-16 code units. */
  maxStringLength: number;
}

export const DEFAULT_LIMITS: Readonly<DecodeLimits> = Object.freeze({
  maxInputBytes: 1024 * 1024,
  maxDepth: 32,
  maxElements: 50_000,
  maxStringLength: 1024 * 1024,
});

/** Defaults overlaid with the caller's values (each must be a positive integer). */
export function resolveLimits(partial?: Partial<DecodeLimits>): DecodeLimits {
  if (partial === undefined) return DEFAULT_LIMITS;
  const out: DecodeLimits = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(DEFAULT_LIMITS) as (keyof DecodeLimits)[]) {
    const v = partial[key];
    if (v === undefined) continue;
    if (!Number.isInteger(v) || v <= 0) {
      throw new BridgeError('CONFIG_INVALID', `syncml limit ${key} must be a positive integer`);
    }
    out[key] = v;
  }
  return out;
}

export function checkInputSize(bytes: number, limits: DecodeLimits): void {
  if (bytes > limits.maxInputBytes) {
    throw new BridgeError(
      'MESSAGE_TOO_LARGE',
      `SyncML message of ${bytes} bytes exceeds the limit of ${limits.maxInputBytes} bytes`,
    );
  }
}

export function malformed(what: string): BridgeError {
  return new BridgeError('MESSAGE_MALFORMED', `malformed SyncML message: ${what}`);
}

export function tooLarge(what: string): BridgeError {
  return new BridgeError('MESSAGE_TOO_LARGE', `SyncML message too large: ${what}`);
}
