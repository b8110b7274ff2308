import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createMetrics } from '../../../bridge/api/metrics.js';
import type { AuthoritySummary } from '../../../bridge/api/types.js';

function authority(account: string, over: Partial<AuthoritySummary> = {}): AuthoritySummary {
  return { account, serverId: `dm.${account}.test`, protocol: 'dm1.2', state: 'idle', lastSession: null, queuedAlerts: 0, ...over };
}

/** The value of one sample line `name{labels} value` in a Prometheus text, or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('Prometheus metrics', () => {
  test('sessions by authority and outcome, with a duration histogram', async () => {
    const m = createMetrics({ processMetrics: false });
    m.sessionEnded({ account: 'isp', outcome: 'ok', durationMs: 120 });
    m.sessionEnded({ account: 'isp', outcome: 'ok', durationMs: 3000 });
    m.sessionEnded({ account: 'isp', outcome: 'auth-failed', durationMs: 40 });
    m.sessionEnded({ account: 'sec', outcome: 'error', durationMs: 700_000 });
    const t = await m.render();
    assert.equal(sample(t, 'dmbridge_sessions_total{account="isp",outcome="ok"}'), 2);
    assert.equal(sample(t, 'dmbridge_sessions_total{account="isp",outcome="auth-failed"}'), 1);
    assert.equal(sample(t, 'dmbridge_sessions_total{account="sec",outcome="error"}'), 1);
    assert.equal(sample(t, 'dmbridge_session_duration_seconds_count{account="isp"}'), 3);
    assert.equal(sample(t, 'dmbridge_session_duration_seconds_bucket{le="0.05",account="isp"}'), 1);
    assert.equal(sample(t, 'dmbridge_session_duration_seconds_bucket{le="0.25",account="isp"}'), 2);
    assert.equal(sample(t, 'dmbridge_session_duration_seconds_bucket{le="600",account="sec"}'), 0);
    assert.equal(sample(t, 'dmbridge_session_duration_seconds_bucket{le="+Inf",account="sec"}'), 1);
    assert.ok(Math.abs(sample(t, 'dmbridge_session_duration_seconds_sum{account="isp"}')! - 3.16) < 1e-9);
  });

  test('commands by DM status; adapter latency and errors by code', async () => {
    const m = createMetrics({ processMetrics: false });
    m.commandExecuted({ command: 'Get', status: 200 });
    m.commandExecuted({ command: 'Get', status: 200 });
    m.commandExecuted({ command: 'Replace', status: 425 });
    m.adapterCall({ adapter: 'upnp', op: 'get', durationMs: 3 });
    m.adapterCall({ adapter: 'upnp', op: 'exec', durationMs: 5000, error: 'TIMEOUT' });
    const t = await m.render();
    assert.equal(sample(t, 'dmbridge_commands_total{command="Get",status="200"}'), 2);
    assert.equal(sample(t, 'dmbridge_commands_total{command="Replace",status="425"}'), 1);
    assert.equal(sample(t, 'dmbridge_adapter_call_duration_seconds_count{adapter="upnp",op="get"}'), 1);
    assert.equal(sample(t, 'dmbridge_adapter_call_duration_seconds_bucket{le="0.005",adapter="upnp",op="get"}'), 1);
    assert.equal(sample(t, 'dmbridge_adapter_call_duration_seconds_bucket{le="2.5",adapter="upnp",op="exec"}'), 0);
    assert.equal(sample(t, 'dmbridge_adapter_call_errors_total{adapter="upnp",op="exec",code="TIMEOUT"}'), 1);
    assert.equal(sample(t, 'dmbridge_adapter_call_errors_total{adapter="upnp",op="get",code="TIMEOUT"}'), undefined);
  });

  test('gauges are computed at scrape time from the sources', async () => {
    const m = createMetrics({ processMetrics: false });
    let auths = [authority('isp', { queuedAlerts: 3, notify: 'open' }), authority('sec', { state: 'in-session' })];
    const devices = [
      { protocols: ['mdns', 'upnp'], status: 'online' },
      { protocols: ['mdns'], status: 'online' },
      { protocols: ['upnp'], status: 'offline' },
    ];
    m.observe({ authorities: () => auths, devices: () => devices });
    let t = await m.render();
    assert.equal(sample(t, 'dmbridge_outbox_depth{account="isp"}'), 3);
    assert.equal(sample(t, 'dmbridge_outbox_depth{account="sec"}'), 0);
    assert.equal(sample(t, 'dmbridge_authority_in_session{account="sec"}'), 1);
    assert.equal(sample(t, 'dmbridge_notify_channel_state{account="isp",state="open"}'), 1);
    assert.equal(sample(t, 'dmbridge_notify_channel_state{account="isp",state="connecting"}'), 0);
    assert.equal(sample(t, 'dmbridge_notify_channel_state{account="sec",state="open"}'), undefined, 'no notify state reported: no series');
    assert.equal(sample(t, 'dmbridge_devices{protocol="mdns",status="online"}'), 2);
    assert.equal(sample(t, 'dmbridge_devices{protocol="upnp",status="online"}'), 1);
    assert.equal(sample(t, 'dmbridge_devices{protocol="upnp",status="offline"}'), 1);
    // a removed authority disappears, a new state is reported
    auths = [authority('isp', { queuedAlerts: 0, notify: 'backoff' })];
    t = await m.render();
    assert.equal(sample(t, 'dmbridge_outbox_depth{account="sec"}'), undefined);
    assert.equal(sample(t, 'dmbridge_outbox_depth{account="isp"}'), 0);
    assert.equal(sample(t, 'dmbridge_notify_channel_state{account="isp",state="open"}'), 0);
    assert.equal(sample(t, 'dmbridge_notify_channel_state{account="isp",state="backoff"}'), 1);
  });

  test('label values are escaped in the exposition', async () => {
    const m = createMetrics({ processMetrics: false });
    m.sessionEnded({ account: 'we"ird\\acc\nt', outcome: 'ok', durationMs: 1 });
    const t = await m.render();
    assert.equal(sample(t, 'dmbridge_sessions_total{account="we\\"ird\\\\acc\\nt",outcome="ok"}'), 1);
  });

  test('process metrics: RSS and event loop lag', async () => {
    const t = await createMetrics().render();
    assert.ok((sample(t, 'process_resident_memory_bytes') ?? 0) > 1e6);
    assert.match(t, /^nodejs_eventloop_lag_seconds \d/m);
    assert.match(t, /^nodejs_eventloop_lag_p99_seconds \d/m);
  });

  test('recent sessions: newest first, bounded, with the end time', () => {
    let now = Date.parse('2025-03-01T10:00:00Z');
    const m = createMetrics({ processMetrics: false, keepSessions: 3, now: () => now });
    for (let i = 1; i <= 5; i++) {
      now += 1000;
      m.sessionEnded({ account: 'isp', sessionId: `S${i}`, outcome: 'ok', reason: '', durationMs: i, commandsExecuted: i });
    }
    const r = m.recentSessions();
    assert.deepEqual(r.map((s) => s.sessionId), ['S5', 'S4', 'S3']);
    assert.equal(r[0]!.endedAt, '2025-03-01T10:00:05.000Z');
    assert.equal(r[0]!.commandsExecuted, 5);
    r.pop();
    assert.equal(m.recentSessions().length, 3, 'a copy is returned');
  });
});
