import { escapeHtml } from './html-escape.js';
import { STATUS_SCRIPT } from './status-script.js';
import { renderShownSection } from './status-shown.js';
import {
  AUTHORITY_HEAD, BAD, DEVICE_HEAD, GOOD, MAX_ROWS, SESSION_HEAD, authorityCells, deviceCells, sessionCells, type StatusData,
} from './status-view.js';

export { escapeHtml } from './html-escape.js';

const STYLE = `
:root{color-scheme:light dark;--fg:#1b1f24;--bg:#fff;--mute:#667;--line:#d8dde3;--good:#137333;--bad:#b3261e}
@media (prefers-color-scheme:dark){:root{--fg:#e6e6e6;--bg:#15171a;--mute:#9aa;--line:#333a42;--good:#7bd88f;--bad:#ff8a80}}
*{box-sizing:border-box}[hidden]{display:none!important}
body{margin:0;padding:12px;font:15px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header{display:flex;flex-wrap:wrap;align-items:baseline;gap:4px 12px}
h1{font-size:1.3em;margin:0}h2{font-size:1.1em;margin:20px 0 6px}
.mute{color:var(--mute);font-size:.9em}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:top;overflow-wrap:anywhere}
th{font-weight:600;white-space:nowrap}
td.good{color:var(--good)}td.bad{color:var(--bad)}
#error{color:var(--bad)}
form{margin:12px 0;display:flex;gap:8px;flex-wrap:wrap}
input{font:inherit;padding:6px;min-width:14em}button{font:inherit;padding:6px 12px}
@media (max-width:640px){
 table,tbody,tr,td{display:block}thead{display:none}
 tr{border:1px solid var(--line);border-radius:6px;margin:0 0 8px;padding:4px 0}
 td{border:0;padding:2px 8px;display:flex;gap:8px}
 td::before{content:attr(data-label);flex:0 0 7.5em;color:var(--mute)}
}`;

function row(head: readonly string[], cells: readonly string[]): string {
  const tds = cells.map((c, i) => {
    const cls = GOOD.has(c) ? ' class="good"' : BAD.has(c) ? ' class="bad"' : '';
    return `<td data-label="${escapeHtml(head[i] ?? '')}"${cls}>${escapeHtml(c)}</td>`;
  });
  return `<tr>${tds.join('')}</tr>`;
}

function table(id: string, head: readonly string[], rows: readonly string[][] | null, empty: string): string {
  const th = head.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join('');
  let body = '';
  if (rows !== null) {
    body = rows.slice(0, MAX_ROWS).map((r) => row(head, r)).join('');
    if (rows.length === 0) body = `<tr class="empty"><td colspan="${head.length}">${escapeHtml(empty)}</td></tr>`;
    if (rows.length > MAX_ROWS) body += `<tr class="more"><td colspan="${head.length}">${rows.length - MAX_ROWS} more not shown</td></tr>`;
  }
  return `<div class="scroll"><table id="${id}"><thead><tr>${th}</tr></thead><tbody>${body}</tbody></table></div>`;
}

export interface StatusPageInput {
  /** The tables' content; null renders an empty page whose script loads them (no token in the request). */
  data: StatusData | null;
  /** CSP nonce for the inline style and script. */
  nonce: string;
  /** Shown when the page was served without (valid) credentials. */
  problem?: string;
  generatedAt: string;
}

/** The whole status page: server-rendered tables, a token form (hidden when not needed), the refresh script. */
export function renderStatusPage(p: StatusPageInput): string {
  const d = p.data;
  const count = (n: number | undefined): string => (n === undefined ? '' : String(n));
  const n = escapeHtml(p.nonce);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>dm-bridge status</title>
<style nonce="${n}">${STYLE}</style></head>
<body data-loaded="${d === null ? 'no' : 'yes'}">
<header><h1>dm-bridge</h1><span class="mute">updated <time id="updated">${escapeHtml(d === null ? '-' : p.generatedAt)}</time></span></header>
<p id="error" role="alert"${p.problem === undefined ? ' hidden' : ''}>${escapeHtml(p.problem ?? '')}</p>
<form id="login" hidden><label for="token">API token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required><button type="submit">Show status</button></form>
<h2>Authorities <span class="mute" id="authorities-count">${count(d?.authorities.length)}</span></h2>
${table('authorities', AUTHORITY_HEAD, d ? d.authorities.map(authorityCells) : null, 'no authorities configured')}
<h2>Devices <span class="mute" id="devices-count">${count(d?.devices.length)}</span></h2>
${table('devices', DEVICE_HEAD, d ? d.devices.map(deviceCells) : null, 'no devices discovered yet')}
<h2>Recent sessions <span class="mute" id="sessions-count">${count(d?.sessions.length)}</span></h2>
${table('sessions', SESSION_HEAD, d ? d.sessions.map(sessionCells) : null, 'no sessions yet')}
${renderShownSection(d?.shown)}<script nonce="${n}">${STATUS_SCRIPT}</script>
</body></html>
`;
}
