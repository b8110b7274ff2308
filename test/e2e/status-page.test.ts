// The status page in a real headless Chromium (Debian's chromium package, driven by playwright-core):
// a real bridge with an API token, one DM 1.2 authority (reference server, so it has a last session)
// and devices put in through the real inventory. Discovery is off (no multicast outside a namespace).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { connectUrl } from '../../bridge/api/client.js';
import { createApp, type App } from '../../bridge/app.js';
import { parseConfig } from '../../bridge/config.js';
import { silentLogger } from '../../bridge/core/logger.js';
import { get } from '../peers/dm12-script.js';
import { Dm12Server } from '../peers/dm12-server.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const TOKEN = 'e2e-status-token-5d0b1a';
const SECRET = 'client-secret-status-e2e';
const HOSTILE = `<img src=x onerror="window.__pwned=1">'&"</td></tr><script>window.__pwned=2</script>`;
const dir = mkdtempSync(join(tmpdir(), 'dmb-status-page-'));

let server: Dm12Server;
let app: App;
let browser: Browser;
let base = '';
const problems: string[] = [];

function sighting(i: number, instance: string) {
  return {
    source: 'mdns' as const, key: `${instance}._ipp._tcp.local`, address: `10.0.0.${i}`, seenAt: Date.now(),
    mdns: { instance, serviceType: '_ipp._tcp', host: `printer-${i}.local`, port: 631, txt: {} },
  };
}

/** Text of each row of a table's body, one array of cell texts per row. */
async function rows(page: Page, table: string): Promise<string[][]> {
  return page.$$eval(`#${table} tbody tr`, (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
}

async function waitUntil(ok: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function openPage(viewport = { width: 1200, height: 900 }): Promise<Page> {
  const ctx = await browser.newContext({ viewport });
  const page = await ctx.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()} @ ${m.location().url}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  return page;
}

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} missing: apt-get install -y --no-install-recommends chromium`);
  server = new Dm12Server({ serverId: 'dm.isp.test', clientName: 'gw-test', clientSecret: SECRET, authType: 'DIGEST' });
  const uri = await server.start();
  server.queue([get('./DevInfo/DevId')]);
  app = createApp(parseConfig({
    store: { path: join(dir, 'bridge.db') }, api: { host: '127.0.0.1', port: 0, token: TOKEN }, log: { level: 'silent' },
    discovery: { mdns: false, ssdp: false },
    authorities: [{ account: 'isp', serverId: 'dm.isp.test', protocol: 'dm1.2', serverUri: uri, auth: { type: 'DIGEST', clientName: 'gw-test', clientSecret: SECRET } }],
  }), { log: silentLogger() });
  await app.start();
  await waitUntil(() => app.authorities.list()[0]?.lastSession != null, 20_000, 'the boot session');
  app.inventory.inventory.sighted(sighting(5, HOSTILE));
  app.inventory.inventory.sighted(sighting(6, 'Lab Printer'));
  const a = app.apiAddress();
  base = connectUrl(a.host, a.port);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
});

after(async () => {
  await browser?.close();
  await app?.stop();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('status page in headless Chromium', () => {
  test('?token= once: authorities and devices render, the token leaves the address bar, refresh adds a device', async () => {
    const page = await openPage();
    const res = await page.goto(`${base}/?token=${TOKEN}`);
    assert.equal(res?.status(), 200);
    assert.equal(page.url(), `${base}/`, 'the token is removed from the address (and this history entry)');
    assert.equal(await page.evaluate(() => sessionStorage.getItem('dmbridge.apiToken')), TOKEN);

    const auth = await rows(page, 'authorities');
    assert.equal(auth.length, 1);
    assert.deepEqual(auth[0]!.slice(0, 4), ['isp', 'dm.isp.test', 'dm1.2', 'idle, notify off']);
    assert.match(auth[0]![4]!, /^ok \(\d+(\.\d)? m?s\)$/);
    const sessions = await rows(page, 'sessions');
    assert.equal(sessions[0]![1], 'isp');
    assert.equal(sessions[0]![3], 'ok');

    const served = await rows(page, 'devices');
    assert.deepEqual(served.map((r) => r[0]).sort(), [HOSTILE, 'Lab Printer'].sort(), 'the hostile name is shown as text');
    assert.equal(await page.locator('img').count(), 0);
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);

    // the script refreshes from the JSON routes: a device added now appears without a reload
    app.inventory.inventory.sighted(sighting(7, 'New Speaker'));
    await page.waitForFunction(() => document.getElementById('devices-count')?.textContent === '3', undefined, { timeout: 15_000 });
    const refreshed = await rows(page, 'devices');
    assert.ok(refreshed.some((r) => r[0] === 'New Speaker'));
    // the script computes the same cells as the server did
    for (const r of served) assert.deepEqual(refreshed.find((x) => x[0] === r[0]), r);
    assert.deepEqual(await rows(page, 'authorities'), auth);
    const labels = await page.$$eval('#devices tbody tr:first-child td', (tds) => tds.map((td) => td.getAttribute('data-label')));
    assert.deepEqual(labels, ['Name', 'Status', 'DevID', 'Address', 'Type', 'Protocols', 'Make / model', 'Last seen']);
    await page.context().close();
  });

  test('a reload without the token in the address uses the stored one; no token asks for it', async () => {
    const page = await openPage();
    await page.goto(`${base}/?token=${TOKEN}`);
    const doc = await page.reload();
    assert.equal(doc?.status(), 401, 'the page itself is still behind the token');
    await page.waitForFunction(() => document.body.getAttribute('data-loaded') === 'yes', undefined, { timeout: 10_000 });
    assert.equal(await page.locator('#login').isHidden(), true);
    assert.ok((await rows(page, 'devices')).some((r) => r[0] === 'Lab Printer'));
    await page.context().close();

    const fresh = await openPage();
    await fresh.goto(`${base}/`);
    assert.equal(await fresh.locator('#login').isVisible(), true);
    assert.equal((await rows(fresh, 'devices')).length, 0);
    await fresh.fill('#token', TOKEN);
    await fresh.click('button[type=submit]');
    await fresh.waitForFunction(() => document.body.getAttribute('data-loaded') === 'yes', undefined, { timeout: 10_000 });
    assert.ok((await rows(fresh, 'devices')).some((r) => r[0] === 'Lab Printer'));
    assert.equal(await fresh.locator('#login').isHidden(), true);
    await fresh.context().close();
  });

  test('readable on a phone: stacked rows, no horizontal scrolling', async () => {
    const page = await openPage({ width: 390, height: 844 });
    await page.goto(`${base}/?token=${TOKEN}`);
    assert.equal(await page.$eval('#devices thead', (el) => getComputedStyle(el).display), 'none');
    assert.equal(await page.$eval('#devices tbody td', (el) => getComputedStyle(el, '::before').content), '"Name"');
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `page is ${width}px wide`);
    await page.screenshot({ path: join(dir, 'phone.png'), fullPage: true });
    if (process.env.DMB_SCREENSHOT) await page.screenshot({ path: process.env.DMB_SCREENSHOT, fullPage: true });
    await page.context().close();
  });

  test('no console errors or warnings, no script errors, no dialogs', () => {
    // the 401 document of the reload test is expected; nothing else may be reported
    const unexpected = problems.filter((p) => !/status of 401 \(Unauthorized\) @ http:\/\/127\.0\.0\.1:\d+\/$/.test(p));
    assert.deepEqual(unexpected, []);
  });
});
