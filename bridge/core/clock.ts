/** Injected time source so tests of timeouts and TTLs run without waiting. */
export interface Clock {
  now(): number; // epoch milliseconds
}
export const systemClock: Clock = { now: () => Date.now() };

/** ISO 8601 basic UTC as DM TStamp wants it, e.g. 20010711T163817Z. */
export function dmTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}
