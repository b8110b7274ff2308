import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { DeviceJson } from '../../../bridge/api/routes/devices.js';
import { escapeHtml, renderStatusPage } from '../../../bridge/api/status-html.js';
import { deviceCells, mergeSessions, sessionCells } from '../../../bridge/api/status-view.js';
import type { AuthoritySummary, SessionSummary } from '../../../bridge/api/types.js';

const unescape = (s: string): string =>
  s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');

function device(name: string, over: Partial<DeviceJson> = {}): DeviceJson {
  return {
    devId: 'mdns-x', name, type: 'printer', manufacturer: '', model: '', protocols: ['mdns'], address: '10.0.0.5',
    status: 'online', lastSeen: '2025-03-01T10:00:00.123Z', adapter: null, ...over,
  };
}

const session = (account: string, sessionId: string): SessionSummary => ({ account, sessionId, outcome: 'ok', reason: '', durationMs: 10 });
const authority = (account: string, last: SessionSummary | null): AuthoritySummary => ({
  account, serverId: `dm.${account}`, protocol: 'dm1.2', state: 'idle', lastSession: last, queuedAlerts: 0,
});

describe('status page rendering', () => {
  test('escapeHtml leaves no markup character and round-trips', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => {
      const e = escapeHtml(s);
      assert.doesNotMatch(e, /[<>"']/);
      assert.equal(unescape(e), s);
    }));
  });

  test('any device name stays text: one script element, one row, the name escaped', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 60 }), fc.constantFrom('</script><script>x()</script>', '<img src=x onerror=alert(1)>', '"><b>', "'&"), (a, b) => {
      const name = a + b;
      const html = renderStatusPage({ data: { authorities: [], devices: [device(name)], sessions: [] }, nonce: 'n0', generatedAt: 'now' });
      assert.equal(html.match(/<script/g)?.length, 1);
      assert.equal(html.match(/<img/g), null);
      assert.ok(html.includes(`>${escapeHtml(name)}</td>`));
      const tbody = /<table id="devices">.*?<tbody>(.*?)<\/tbody>/s.exec(html)![1]!;
      assert.equal(tbody.match(/<tr>/g)?.length, 1);
    }), { numRuns: 200 });
  });

  test('cells: make/model, lastSeen, durations', () => {
    assert.deepEqual(deviceCells(device('P', { manufacturer: 'Acme', model: 'X1', protocols: ['mdns', 'upnp'] })), [
      'P', 'online', 'mdns-x', '10.0.0.5', 'printer', 'mdns, upnp', 'Acme X1', '2025-03-01 10:00:00Z',
    ]);
    assert.equal(deviceCells(device('P', { lastSeen: null }))[7], '-');
    assert.deepEqual(sessionCells({ ...session('isp', 'A1'), durationMs: 2345, commandsExecuted: 4, endedAt: '2025-03-01T10:00:00.000Z' }), [
      '2025-03-01 10:00:00Z', 'isp', 'A1', 'ok', '2.3 s', '4', '-',
    ]);
  });

  test('a page without data has empty tables and shows the problem', () => {
    const html = renderStatusPage({ data: null, nonce: 'n0', generatedAt: 'now', problem: 'the API token is wrong' });
    assert.match(html, /<body data-loaded="no">/);
    assert.match(html, /<p id="error" role="alert">the API token is wrong<\/p>/);
    assert.equal(html.match(/<tbody><\/tbody>/g)?.length, 3);
  });

  test('recent sessions add each authority\'s last session once', () => {
    const recent = [session('isp', 'B'), session('isp', 'A')];
    const merged = mergeSessions(recent, [authority('isp', session('isp', 'B')), authority('sec', session('sec', 'C')), authority('x', null)]);
    assert.deepEqual(merged.map((s) => `${s.account}/${s.sessionId}`), ['isp/B', 'isp/A', 'sec/C']);
  });
});
