import { createHash } from 'node:crypto';

/**
 * A Bloom filter of DM 2.0 notification nonces no longer kept one by one: it may answer "seen" for a
 * nonce never seen (a false positive drops a genuine notification, the MA's next one or the poll
 * recovers), never "unseen" for one that was (a pruned nonce never becomes replayable).
 * 2^20 bits (128 KiB) and 7 hashes: false positives below 1e-8 after 10,000 folded nonces, 0.65%
 * after 100,000, 12% after 200,000; it only fills up, so an MA that sends that many notifications
 * degrades toward polling only, never toward accepting replays.
 */
export const DIGEST_BITS = 1 << 20;
export const DIGEST_HASHES = 7;

export function emptyDigest(): Buffer {
  return Buffer.alloc(DIGEST_BITS / 8);
}

/** The bit positions of a nonce (its text exactly as in the frame). */
function positions(nonce: string): number[] {
  const h = createHash('sha256').update(nonce, 'utf8').digest();
  const out: number[] = [];
  for (let i = 0; i < DIGEST_HASHES; i++) out.push(h.readUInt32BE(i * 4) & (DIGEST_BITS - 1));
  return out;
}

export function addToDigest(bits: Uint8Array, nonce: string): void {
  for (const p of positions(nonce)) bits[p >> 3]! |= 1 << (p & 7);
}

export function digestHas(bits: Uint8Array, nonce: string): boolean {
  return positions(nonce).every((p) => (bits[p >> 3]! & (1 << (p & 7))) !== 0);
}

/** Expected false-positive rate once `folded` distinct nonces are in the digest. */
export function digestFalsePositiveRate(folded: number): number {
  return (1 - Math.exp((-DIGEST_HASHES * folded) / DIGEST_BITS)) ** DIGEST_HASHES;
}
