import type { Logger } from '../core/logger.js';
import type { Clock } from '../core/clock.js';
import { parsePackage0, sessionIdHex, verifyPackage0 } from '../dm/syncml/package0.js';
import type { AccountsRepo } from '../store/accounts-repo.js';
import { nonceBytes } from '../dm/syncml/auth.js';
import type { AccountData } from '../tree/providers/dmacc-provider.js';

export interface Package0Accepted {
  account: string;
  /** SyncHdr SessionID: uppercase hex without leading zeros. */
  sessionId: string;
  uiMode: number;
}

/**
 * Checks DM 1.2 Package #0 notifications (PROTOCOL.md §2.8): the ServerID must be a known
 * authority (optionally: the one whose channel it came on), the digest must verify with its server
 * credentials and stored nonce (or the default nonce, both forms); a session id seen recently
 * starts nothing. Anything else is dropped with a debug log.
 */
export class Package0Gate {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly o: { accounts: AccountsRepo; log: Logger; clock: Clock; dedupeMs?: number },
  ) {}

  accept(bytes: Uint8Array, onlyAccount?: string): Package0Accepted | null {
    let serverId: string;
    try {
      serverId = parsePackage0(bytes).serverId;
    } catch (err) {
      this.o.log.debug({ err: (err as Error).message }, 'Package #0 dropped: malformed');
      return null;
    }
    const row = this.o.accounts.all().find((r) => r.serverId === serverId);
    if (!row || (onlyAccount !== undefined && row.account !== onlyAccount)) {
      this.o.log.debug({ serverId }, 'Package #0 dropped: unknown ServerID');
      return null;
    }
    const acc = JSON.parse(row.data) as AccountData;
    if (!acc.auth.serverSecret) {
      this.o.log.debug({ account: row.account }, 'Package #0 dropped: no server secret configured');
      return null;
    }
    const stored = this.o.accounts.nonce(row.account, 'server');
    const v = verifyPackage0(bytes, { serverId, serverSecret: acc.auth.serverSecret, nonce: stored ? nonceBytes(stored) : null });
    if (!v.ok) {
      this.o.log.debug({ account: row.account, reason: v.reason }, 'Package #0 dropped');
      return null;
    }
    const sessionId = sessionIdHex(v.pkg.sessionId);
    const key = `${row.account}:${sessionId}`;
    const now = this.o.clock.now();
    for (const [k, t] of this.seen) if (now - t > (this.o.dedupeMs ?? 10 * 60_000)) this.seen.delete(k);
    if (this.seen.has(key)) {
      this.o.log.debug({ account: row.account, sessionId }, 'Package #0 dropped: session id already seen');
      return null;
    }
    this.seen.set(key, now);
    return { account: row.account, sessionId, uiMode: v.pkg.uiMode };
  }
}
