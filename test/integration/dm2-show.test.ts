// DM 2.0 SHOW over a real session (reference DM 2.0 server): 202 and the status page + GET
// /api/v1/shown list the link while the page lists SHOW URLs; 406 and nothing listed when it does not.
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { createApiServer, type ApiServer } from '../../bridge/api/server.js';
import { ShownUrls } from '../../bridge/api/shown-urls.js';
import type { ShownJson } from '../../bridge/api/routes/shown.js';
import { silentLogger } from '../../bridge/core/logger.js';
import { dm2Harness, type Dm2Harness } from './dm2-harness.js';

const SID = 'dm2.isp.example';
const LINK = 'https://portal.isp.example/msg/1?a=1&b=<2>';
let h: Dm2Harness | undefined;
let api: ApiServer | undefined;
afterEach(async () => {
  await api?.stop();
  await h?.close();
  api = h = undefined;
});

async function setup(enabled: () => boolean): Promise<{ h: Dm2Harness; shown: ShownUrls; base: string }> {
  h = await dm2Harness([{ account: 'isp', serverId: SID }]);
  const accounts = h.accounts;
  const shown = new ShownUrls({ enabled, serverId: (a) => accounts.get(a)?.serverId });
  api = createApiServer({ host: '127.0.0.1', port: 0, token: null, tree: h.tree, shown, log: silentLogger() });
  await api.start();
  return { h, shown, base: `http://127.0.0.1:${api.address().port}` };
}

async function showSession(x: Dm2Harness, shown: ShownUrls): Promise<Map<number, number>> {
  const s = x.dm2.get('isp')!;
  s.queue([
    { id: 1, cmd: 'SHOW', href: LINK },
    { id: 2, cmd: 'SHOW', href: 'http://portal.isp.example/plain' },
    { id: 3, cmd: 'GET', uri: './DevInfo/Man' },
  ]);
  const report = await x.session('isp', { kind: 'client' }, { onShow: (account, href) => shown.offer(account, href) });
  assert.equal(report.outcome, 'ok', report.reason);
  return new Map(s.sessions.at(-1)!.results.map((r) => [r.id, r.status]));
}

describe('DM 2.0 SHOW on the headless gateway', () => {
  test('status page lists SHOW URLs: 202, the page links it (escaped, noopener, labelled), JSON route lists it', async () => {
    const x = await setup(() => true);
    const st = await showSession(x.h, x.shown);
    assert.deepEqual([st.get(1), st.get(2), st.get(3)], [202, 202, 200]);
    const json = (await (await fetch(`${x.base}/api/v1/shown`)).json()) as ShownJson;
    assert.equal(json.enabled, true);
    assert.deepEqual(json.urls.map((u) => [u.account, u.serverId, u.href]), [
      ['isp', SID, 'http://portal.isp.example/plain'],
      ['isp', SID, 'https://portal.isp.example/msg/1?a=1&b=%3C2%3E'],
    ]);
    const page = await (await fetch(`${x.base}/`)).text();
    assert.match(page, /<h2>Links from authorities <span class="mute" id="shown-count">2<\/span><\/h2>/);
    assert.ok(page.includes('<a href="https://portal.isp.example/msg/1?a=1&amp;b=%3C2%3E" rel="noopener noreferrer" target="_blank">'));
    assert.match(page, new RegExp(`sent by ${SID.replace(/\./g, '\\.')} \\(account isp\\) at <time>`));
  });

  test('status page does not list SHOW URLs: 406, nothing listed, no section on the page', async () => {
    const x = await setup(() => false);
    const st = await showSession(x.h, x.shown);
    assert.deepEqual([st.get(1), st.get(2), st.get(3)], [406, 406, 200]);
    assert.deepEqual(await (await fetch(`${x.base}/api/v1/shown`)).json(), { enabled: false, urls: [] });
    const page = await (await fetch(`${x.base}/`)).text();
    assert.match(page, /<section id="shown-section" hidden>/);
    assert.doesNotMatch(page, /portal\.isp\.example/);
  });
});
