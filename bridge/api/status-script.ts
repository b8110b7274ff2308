import { NO_LINKS } from './status-shown.js';
import { AUTHORITY_HEAD, BAD, DEVICE_HEAD, GOOD, MAX_ROWS, SESSION_HEAD } from './status-view.js';

/** JSON for inside a <script>: no `<` can end the element. */
const js = (v: unknown): string => JSON.stringify(v).replace(/</g, '\\u003c');

/**
 * The status page's script (plain browser JS, no build step). It keeps the API token in
 * sessionStorage: taken once from `?token=` (then removed from the address bar and history entry)
 * or from the form; every refresh fetches the JSON routes with `Authorization: Bearer`. Cells are
 * computed as in status-view.ts and written with textContent only (never as HTML).
 */
export const STATUS_SCRIPT = `(function () {
'use strict';
var KEY = 'dmbridge.apiToken', EVERY_MS = 5000, MAX_ROWS = ${MAX_ROWS};
var HEAD = { authorities: ${js(AUTHORITY_HEAD)}, devices: ${js(DEVICE_HEAD)}, sessions: ${js(SESSION_HEAD)} };
var GOOD = ${js([...GOOD])}, BAD = ${js([...BAD])}, NO_LINKS = ${js(NO_LINKS)};
var EMPTY = { authorities: 'no authorities configured', devices: 'no devices discovered yet', sessions: 'no sessions yet' };
function store(t) { try { if (t === null) sessionStorage.removeItem(KEY); else sessionStorage.setItem(KEY, t); } catch (e) { /* storage off */ } }
function token() { try { return sessionStorage.getItem(KEY); } catch (e) { return null; } }
var q = new URLSearchParams(location.search);
if (q.has('token')) {
  store(q.get('token'));
  q.delete('token');
  var rest = q.toString();
  history.replaceState(null, '', location.pathname + (rest ? '?' + rest : '') + location.hash);
}
function $(id) { return document.getElementById(id); }
function dur(ms) { return ms < 1000 ? Math.round(ms) + ' ms' : (ms / 1000).toFixed(1) + ' s'; }
function time(iso) { return iso ? String(iso).replace('T', ' ').replace(/\\.\\d+Z$/, 'Z') : '-'; }
var CELLS = {
  authorities: function (a) {
    var conn = a.notify === undefined ? a.state : a.state + ', notify ' + a.notify;
    var last = a.lastSession ? a.lastSession.outcome + ' (' + dur(a.lastSession.durationMs) + ')' : '-';
    return [a.account, a.serverId, a.protocol, conn, last, String(a.queuedAlerts)];
  },
  devices: function (d) {
    var mm = [d.manufacturer, d.model].filter(function (x) { return x !== ''; }).join(' ') || '-';
    return [d.name, d.status, d.devId, d.address, d.type, d.protocols.join(', '), mm, time(d.lastSeen)];
  },
  sessions: function (s) {
    return [time(s.endedAt), s.account, s.sessionId, s.outcome, dur(s.durationMs),
      s.commandsExecuted === undefined ? '-' : String(s.commandsExecuted), s.reason || '-'];
  }
};
function line(cls, text, span) {
  var tr = document.createElement('tr'), td = document.createElement('td');
  tr.className = cls; td.colSpan = span; td.textContent = text; tr.appendChild(td);
  return tr;
}
function fill(name, list) {
  var head = HEAD[name], rows = [];
  list.slice(0, MAX_ROWS).forEach(function (item) {
    var tr = document.createElement('tr');
    CELLS[name](item).forEach(function (text, i) {
      var td = document.createElement('td');
      td.setAttribute('data-label', head[i]);
      if (GOOD.indexOf(text) >= 0) td.className = 'good'; else if (BAD.indexOf(text) >= 0) td.className = 'bad';
      td.textContent = text;
      tr.appendChild(td);
    });
    rows.push(tr);
  });
  if (list.length === 0) rows.push(line('empty', EMPTY[name], head.length));
  if (list.length > MAX_ROWS) rows.push(line('more', (list.length - MAX_ROWS) + ' more not shown', head.length));
  $(name).tBodies[0].replaceChildren.apply($(name).tBodies[0], rows);
  $(name + '-count').textContent = String(list.length);
}
function links(j) {
  var items = [];
  (j.enabled ? j.urls : []).forEach(function (u) {
    if (String(u.href).indexOf('https://') !== 0 && String(u.href).indexOf('http://') !== 0) return;
    var li = document.createElement('li'), a = document.createElement('a'), s = document.createElement('span'), t = document.createElement('time');
    a.href = u.href; a.rel = 'noopener noreferrer'; a.target = '_blank'; a.textContent = u.href;
    s.className = 'mute'; t.textContent = time(u.at);
    s.append(' sent by ' + (u.serverId ? u.serverId + ' (account ' + u.account + ')' : 'account ' + u.account) + ' at ', t);
    li.append(a, ' ', s);
    items.push(li);
  });
  if (j.enabled && items.length === 0) { var e = document.createElement('li'); e.className = 'empty'; e.textContent = NO_LINKS; items.push(e); }
  $('shown').replaceChildren.apply($('shown'), items);
  $('shown-count').textContent = String(j.enabled ? j.urls.length : 0);
  $('shown-section').hidden = !j.enabled;
}
function problem(text) { $('error').textContent = text; $('error').hidden = text === ''; }
function Unauthorized() {}
function get(path) {
  var h = { accept: 'application/json' }, t = token();
  if (t) h.authorization = 'Bearer ' + t;
  return fetch(path, { headers: h, cache: 'no-store' }).then(function (r) {
    if (r.status === 401) throw new Unauthorized();
    if (!r.ok) throw new Error(path + ': HTTP ' + r.status);
    return r.json();
  });
}
var timer = null, busy = false;
function refresh() {
  if (busy) return;
  busy = true;
  Promise.all([get('/api/v1/authorities'), get('/api/v1/devices'), get('/api/v1/sessions')]).then(function (r) {
    fill('authorities', r[0]); fill('devices', r[1]); fill('sessions', r[2]);
    get('/api/v1/shown').then(links, function () { /* no SHOW list in this build */ });
    $('updated').textContent = time(new Date().toISOString());
    document.body.setAttribute('data-loaded', 'yes');
    problem('');
  }, function (e) {
    if (e instanceof Unauthorized) { store(null); ask('the API token is missing or wrong'); return; }
    problem('refresh failed: ' + (e && e.message ? e.message : String(e)));
  }).then(function () { busy = false; });
}
function ask(text) {
  if (timer !== null) { clearInterval(timer); timer = null; }
  $('login').hidden = false;
  problem(text);
}
function run() {
  $('login').hidden = true;
  if (timer === null) timer = setInterval(refresh, EVERY_MS);
}
$('login').addEventListener('submit', function (ev) {
  ev.preventDefault();
  store($('token').value);
  $('token').value = '';
  run();
  refresh();
});
if (document.body.getAttribute('data-loaded') === 'yes') run();
else if (token() !== null) { run(); refresh(); }
else ask($('error').textContent);
})();`;
