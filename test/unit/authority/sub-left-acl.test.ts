// Review finding 10: a SUB "left" alert is checked against the ACL the node had just before its
// delete, not against the parent's ACL it falls back to once the node's own ACL is gone, so a node
// (e.g. a device) hidden from an MA does not leak its departure. Replace/Add still use the live ACL.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startSubscriptionAlerts } from '../../../bridge/authority/dm2-subscriptions.js';
import { systemClock } from '../../../bridge/core/clock.js';
import { silentLogger } from '../../../bridge/core/logger.js';
import { openStore } from '../../../bridge/store/db.js';
import { OutboxRepo } from '../../../bridge/store/outbox-repo.js';
import { SubscriptionsRepo } from '../../../bridge/store/subscriptions-repo.js';
import { createTree } from '../../../bridge/tree/index.js';

const account = (name: string, serverId: string) => ({
  account: name, serverId, protocol: 'dm2.0', serverUri: 'http://127.0.0.1:9/dm', notifyUri: null, encoding: 'xml',
  auth: { type: 'HTTP-BASIC', clientName: 'gw', clientSecret: 's', serverSecret: null }, pollSeconds: 86400,
  tls: { ca: null, pinSha256: null, cert: null, key: null }, bootstrap: false,
});
const config = {
  device: { devId: 'urn:dev:test', man: 'T', mod: 'T', lang: 'en-US' },
  discovery: { mdns: false, ssdp: false, ttlSeconds: 60, serviceTypes: [] },
  authorities: [account('isp', 'dm.isp'), account('sec', 'dm.sec')],
};

test('left of a node hidden by its own ACL reaches only the MAs that could Get it before the delete', async () => {
  const store = openStore(':memory:');
  const { tree, events, accounts } = createTree({ store, config, log: silentLogger() });
  const outbox = new OutboxRepo(store.db);
  const subscriptions = new SubscriptionsRepo(store.db);
  const stop = startSubscriptionAlerts({ events, tree, accounts, subscriptions, outbox, clock: systemClock });
  const sources = (a: string) => outbox.list(a, 100).map((r) => {
    const x = JSON.parse(r.payload) as { type: string; source: string };
    return `${x.type.replace('org.dmbridge.node.', '')}:${x.source}`;
  });
  assert.equal((await tree.add('./W', { format: 'node' }, null)).status, 200);
  tree.acls.set('./W', 'Add=*&Get=*&Replace=*&Delete=*');
  for (const n of ['Hidden', 'Open', 'Box']) assert.equal((await tree.add(`./W/${n}`, { format: 'node' }, null)).status, 200);
  tree.acls.set('./W/Hidden', 'Get=dm.sec&Delete=*&Replace=*');
  assert.equal((await tree.add('./W/Box/Inner', { format: 'chr', data: 'x' }, null)).status, 200);
  tree.acls.set('./W/Box', 'Get=dm.sec&Delete=*');
  for (const a of ['isp', 'sec']) subscriptions.put(a, './W', ['joined', 'left', 'changed'], 1);
  subscriptions.put('isp', './W/Box/Inner', ['left'], 1); // a SUB below a hidden subtree

  assert.equal((await tree.delete('./W/Hidden', null)).status, 200);
  assert.equal((await tree.delete('./W/Open', null)).status, 200);
  assert.equal((await tree.delete('./W/Box', null)).status, 200);
  assert.deepEqual(sources('isp'), ['left:./W/Open'], 'Hidden and Box were never readable by dm.isp');
  assert.deepEqual(sources('sec'), ['left:./W/Hidden', 'left:./W/Open', 'left:./W/Box']);

  // the node comes back, readable through ./W: its changes and next delete are visible again
  assert.equal((await tree.add('./W/Hidden', { format: 'node' }, null)).status, 200);
  assert.equal((await tree.delete('./W/Hidden', null)).status, 200);
  assert.deepEqual(sources('isp'), ['left:./W/Open', 'joined:./W/Hidden', 'left:./W/Hidden']);
  stop();
  store.close();
});
