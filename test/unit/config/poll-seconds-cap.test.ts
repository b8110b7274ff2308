import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, parseConfig } from '../../../bridge/config.js';
import { MAX_POLL_SECONDS } from '../../../bridge/core/timers.js';

// Review finding 3: pollSeconds had no maximum. It is now at most one year (31,536,000 s).

const authority = (pollSeconds: number): Record<string, unknown> => ({
  account: 'isp', serverId: 'dm.isp.example', protocol: 'dm1.2', serverUri: 'https://dm.isp.example/dm',
  auth: { type: 'DIGEST', clientName: 'gw-1', clientSecret: 's3cret' }, pollSeconds,
});

test('pollSeconds up to one year is accepted (30 days included)', () => {
  assert.equal(MAX_POLL_SECONDS, 31_536_000);
  assert.equal(parseConfig({ authorities: [authority(2_592_000)] }).authorities[0]?.pollSeconds, 2_592_000);
  assert.equal(parseConfig({ authorities: [authority(MAX_POLL_SECONDS)] }).authorities[0]?.pollSeconds, MAX_POLL_SECONDS);
  assert.equal(parseConfig({ authorities: [authority(0)] }).authorities[0]?.pollSeconds, 0);
});

test('pollSeconds beyond one year is an error naming the key', () => {
  assert.throws(() => parseConfig({ authorities: [authority(MAX_POLL_SECONDS + 1)] }), (err: unknown) => {
    assert.ok(err instanceof ConfigError);
    assert.match(err.message, /authorities\[0\]\.pollSeconds: expected at most 31536000, got 31536001/);
    return true;
  });
});
