import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import { test } from 'node:test';
import { CallbackServer, genaRequest, MAX_SUBSCRIPTION_SEC } from '../../../adapters/upnp/gena.js';

function notify(url: string, body: string, method = 'NOTIFY'): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: { NT: 'upnp:event', NTS: 'upnp:propchange', SID: 'uuid:x', SEQ: '0', 'content-type': 'text/xml' } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('GENA callback server: NOTIFY to a registered token reaches its listener; others are refused', async () => {
  const s = new CallbackServer('127.0.0.1');
  await s.start();
  try {
    const got: Array<Map<string, string>> = [];
    const { url, token } = s.add((v) => got.push(v));
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/gena\/[0-9a-f]{24}$/);
    const body = '<?xml version="1.0"?><e:propertyset xmlns:e="urn:schemas-upnp-org:event-1-0"><e:property><SystemUpdateID>12</SystemUpdateID></e:property></e:propertyset>';
    assert.equal(await notify(url, body), 200);
    assert.deepEqual([...got[0]!], [['SystemUpdateID', '12']]);
    assert.equal(await notify(url, '<!DOCTYPE x [<!ENTITY a "b">]><x/>'), 400);
    assert.equal(await notify(url, body, 'POST'), 405);
    assert.equal(await notify(url.replace(/[0-9a-f]{24}$/, '0'.repeat(24)), body), 412);
    assert.equal(await notify(url, `<e:propertyset>${'x'.repeat(70 * 1024)}</e:propertyset>`).catch(() => 413), 413);
    s.remove(token);
    assert.equal(await notify(url, body), 412);
    assert.equal(got.length, 1);
  } finally {
    await s.stop();
  }
});

test('SUBSCRIBE: a device granting a huge TIMEOUT is capped at a day (the renewal timer cannot overflow)', async () => {
  let timeout = 'Second-9999999999';
  const srv = createServer((_req, res) => {
    res.writeHead(200, { SID: 'uuid:sub-1', TIMEOUT: timeout });
    res.end();
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  try {
    const url = `http://127.0.0.1:${(srv.address() as { port: number }).port}/evt`;
    const huge = await genaRequest('SUBSCRIBE', url, { callback: 'http://127.0.0.1:1/cb', timeoutSec: 1800 });
    assert.equal(huge.timeoutSec, MAX_SUBSCRIPTION_SEC);
    assert.equal(huge.sid, 'uuid:sub-1');
    timeout = 'Second-300';
    assert.equal((await genaRequest('SUBSCRIBE', url, { sid: 'uuid:sub-1', timeoutSec: 1800 })).timeoutSec, 300);
    timeout = 'Second-infinite';
    assert.equal((await genaRequest('SUBSCRIBE', url, { sid: 'uuid:sub-1', timeoutSec: 1800 })).timeoutSec, 1800);
  } finally {
    await new Promise((r) => srv.close(r));
  }
});
