import { escapeHtml as esc } from './html-escape.js';
import type { ShownUrl } from './shown-urls.js';
import { fmtTime } from './status-view.js';

export const NO_LINKS = 'no links sent yet';

/** Who asked: "dm.isp.example (account isp)", or the account alone when the ServerID is unknown. */
export function shownFrom(u: ShownUrl): string {
  return u.serverId === '' ? `account ${u.account}` : `${u.serverId} (account ${u.account})`;
}

/**
 * The status page's "Links from authorities" section (DM 2.0 SHOW), hidden when the page does not
 * list them (`list` undefined; the page's script shows it after GET /api/v1/shown when the page was
 * served without data). Every link is escaped, opens without opener or referrer, and says which
 * authority sent it: the page vouches for nothing behind it.
 */
export function renderShownSection(list: readonly ShownUrl[] | undefined): string {
  const items = (list ?? []).map((u) =>
    `<li><a href="${esc(u.href)}" rel="noopener noreferrer" target="_blank">${esc(u.href)}</a>` +
    ` <span class="mute">sent by ${esc(shownFrom(u))} at <time>${esc(fmtTime(u.at))}</time></span></li>`,
  );
  const body = list === undefined ? '' : items.length === 0 ? `<li class="empty">${NO_LINKS}</li>` : items.join('');
  return `<section id="shown-section"${list === undefined ? ' hidden' : ''}>
<h2>Links from authorities <span class="mute" id="shown-count">${list === undefined ? '' : list.length}</span></h2>
<p class="mute">Pages your management authorities asked this gateway to show (DM SHOW). They come from the authority named with each link, not from dm-bridge.</p>
<ul id="shown">${body}</ul></section>
`;
}
