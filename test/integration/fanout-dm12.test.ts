// Fan-out (./GwMO/Fanout) driven by an authority over real DM 1.2 sessions: define, Exec -> 202, then the
// Generic Alert 1226 with the Correlator in the next session and the Results subtree read back.
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { silentLogger } from '../../bridge/core/logger.js';
import { createFanout, type FanoutService } from '../../bridge/fanout/index.js';
import { add, addNode, exec, get, replace } from '../peers/dm12-script.js';
import type { Step } from '../peers/dm12-server.js';
import { Lab } from '../unit/fanout/lab.js';
import { harness, type Harness } from './dm12-harness.js';

let h: Harness | undefined;
let svc: FanoutService | undefined;
afterEach(async () => {
  svc?.stop();
  await h?.close();
  h = undefined;
});

async function session(account: string, ...steps: Step[]) {
  const srv = h!.peers.get(account)!.server;
  srv.queue(...steps);
  const r = await h!.session(account);
  assert.equal(r.outcome, 'ok', r.reason);
  const rec = srv.sessions.at(-1)!;
  return { rec, codes: rec.statuses.map((s) => s.code), results: rec.results.flatMap((x) => x.items.map((i) => `${i.source?.locUri}=${i.data ?? ''}`)) };
}

describe('fan-out over DM 1.2', () => {
  test('define, Exec (202), alert with the Correlator next session, per-device Results incl. a denied and a timed-out device', async () => {
    h = await harness([
      { account: 'isp', server: { serverId: 'dm.isp', authType: 'DIGEST', serverSecret: 'isp-srv' } },
      { account: 'sec', server: { serverId: 'dm.sec', authType: 'BASIC', serverSecret: 'sec-srv' } },
    ]);
    const lab = new Lab(new Map([['tv', 'ok'], ['nas', 'ok'], ['cam', 'hang'], ['lamp', 'ok']]), new Map([['type-Light', ['lamp', 'cam']]]));
    h.tree.mount('./GwMO/DevInventory', lab);
    h.tree.replace('./GwMO/DevInventory/Devices?prop=ACL', { data: 'Get=*&Replace=*&Exec=*' }, null);
    h.tree.replace('./GwMO/DevInventory/Devices/nas?prop=ACL', { data: 'Get=dm.sec&Replace=dm.sec' }, null);
    svc = createFanout({ store: h.store, tree: h.tree, events: h.events, log: silentLogger(), limits: { timeoutMs: 300 } });
    svc.mount();
    const X = './GwMO/Fanout/night';

    const s1 = await session('isp', [
      addNode(X), add(`${X}/Command`, 'Replace'), add(`${X}/Target`, 'tv,nas,Groups/type-Light'), add(`${X}/Path`, 'MO/Value'),
      add(`${X}/Data`, 'off'), exec(`${X}/Exec`, undefined, 'corr-night'),
    ]);
    assert.deepEqual(s1.codes, [200, 200, 200, 200, 200, 202]);
    assert.equal(h.peers.get('isp')!.server.sessions[0]!.alerts.filter((a) => a.data === '1226').length, 0);
    await svc.provider.finished.get('night');
    assert.equal(h.outbox.count('isp'), 1, 'the completion alert is queued durably');

    // the other authority cannot see or run the fan-out
    const other = await session('sec', [get(`${X}/Status`), exec(`${X}/Exec`), replace(`${X}/Target`, 'nas'), get('./GwMO/Fanout')]);
    assert.deepEqual(other.codes, [425, 425, 425, 425]);

    const s2 = await session('isp', [
      get(`${X}/Status`, `${X}/Results`),
      get(...['tv', 'nas', 'lamp', 'cam'].flatMap((d) => [`${X}/Results/${d}/Status`, `${X}/Results/${d}/Data`])),
    ]);
    const ga = h.peers.get('isp')!.server.sessions[1]!.alerts.find((a) => a.data === '1226');
    assert.ok(ga, 'Generic Alert in the next session');
    assert.equal(ga.correlator, 'corr-night');
    assert.equal(ga.items[0]!.source?.locUri, `${X}/Exec`);
    assert.equal(ga.items[0]!.data, '500', 'not every device succeeded');
    assert.deepEqual(s2.codes, [200, 200]);
    assert.deepEqual(s2.results, [
      `${X}/Status=done;total=4;completed=4;ok=2;failed=1;timeout=1`,
      `${X}/Results=tv/nas/lamp/cam`,
      `${X}/Results/tv/Status=200`, `${X}/Results/tv/Data=`,
      `${X}/Results/nas/Status=425`, `${X}/Results/nas/Data=`,
      `${X}/Results/lamp/Status=200`, `${X}/Results/lamp/Data=`,
      `${X}/Results/cam/Status=500`, `${X}/Results/cam/Data=timeout: no answer within 300 ms`,
    ]);
    assert.equal(lab.values.get('tv'), 'off');
    assert.equal(lab.values.get('lamp'), 'off');
    assert.equal(lab.values.get('nas'), undefined, 'the denied device was not touched');
    assert.equal(h.outbox.count('isp'), 0, 'acknowledged');
  });
});
