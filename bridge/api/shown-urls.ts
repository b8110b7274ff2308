/**
 * DM 2.0 `SHOW` on a headless gateway: the URLs authorities asked to show, listed on the local
 * status page (and GET /api/v1/shown) instead of a browser component. In memory on purpose: a SHOW
 * is a "show this to the user now" message, not state; the list is bounded, and a restart that
 * forgets it loses nothing an MA cannot send again (no migration, no write per SHOW).
 */

/** One URL an authority asked to show. */
export interface ShownUrl {
  /** The DMAcc account name of the authority. */
  account: string;
  /** Its ServerID (the label users recognise), or '' when unknown. */
  serverId: string;
  /** An absolute http(s) URL, at most MAX_HREF characters. */
  href: string;
  /** ISO 8601 UTC of the SHOW. */
  at: string;
}

export interface ShownUrlsOptions {
  /** Whether the status page lists SHOW URLs now (false: SHOW answers 406 and nothing is kept). */
  enabled: () => boolean;
  /** The authority's ServerID for a label (app: the accounts repo). */
  serverId?: (account: string) => string | undefined;
  now?: () => number;
  /** Entries kept, newest first (default 20). */
  max?: number;
}

export const MAX_SHOWN = 20;
export const MAX_HREF = 2048;

/** The href as a normalized absolute http(s) URL without credentials, or undefined when unusable. */
export function showableHref(href: string): string | undefined {
  if (href.length > MAX_HREF) return undefined;
  let u: URL;
  try {
    u = new URL(href);
  } catch {
    return undefined;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
  if (u.username !== '' || u.password !== '') return undefined; // never put credentials on a page
  return u.href.length > MAX_HREF ? undefined : u.href;
}

/** A bounded list of SHOW URLs, newest first; a repeated URL from the same authority moves to the top. */
export class ShownUrls {
  private items: ShownUrl[] = [];
  private readonly max: number;
  private readonly now: () => number;

  constructor(private readonly o: ShownUrlsOptions) {
    this.max = Math.max(1, o.max ?? MAX_SHOWN);
    this.now = o.now ?? Date.now;
  }

  /** Whether the status page lists SHOW URLs now. */
  enabled(): boolean {
    return this.o.enabled();
  }

  /** Handle a SHOW: true (202) when listed, false (406) when the page does not list URLs or the href is not http(s). */
  offer(account: string, href: string): boolean {
    if (!this.o.enabled()) return false;
    const url = showableHref(href);
    if (url === undefined) return false;
    const item: ShownUrl = { account, serverId: this.o.serverId?.(account) ?? '', href: url, at: new Date(this.now()).toISOString() };
    this.items = [item, ...this.items.filter((x) => !(x.account === account && x.href === url))].slice(0, this.max);
    return true;
  }

  /** Newest first (copies). */
  list(): ShownUrl[] {
    return this.items.map((x) => ({ ...x }));
  }

  /** Forget every entry of one authority (e.g. its account was deleted). */
  forget(account: string): void {
    this.items = this.items.filter((x) => x.account !== account);
  }
}
