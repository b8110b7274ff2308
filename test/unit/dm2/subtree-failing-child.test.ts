import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, test } from 'node:test';
import { createLogger } from '../../../bridge/core/logger.js';
import { Status } from '../../../bridge/core/status.js';
import { Dm2Ops } from '../../../bridge/dm/dm2-ops.js';
import { readSubtree } from '../../../bridge/dm/dm2-tree-io.js';
import type { NodeInfo, Provider } from '../../../bridge/tree/provider.js';
import type { Awaitable } from '../../../bridge/tree/types.js';
import { makeTree } from '../tree/helpers.js';

// Review finding 4: one child whose Get rejects (a device leaf whose device is down) failed the whole
// interior GET/HPUT/HPOST. Now that child is left out, as unreadable nodes are, and logged (debug);
// a child still pending when the walk's time budget is spent is left out too.

const rejections: unknown[] = [];
const onRejection = (e: unknown): void => void rejections.push(e);
process.on('unhandledRejection', onRejection);
after(() => void process.off('unhandledRejection', onRejection));

const leaf = (value: string): NodeInfo => ({ format: 'chr', type: 'text/plain', permanent: true, access: ['Get'], value });

/** ./Dev: Ok (sync), Down (rejects), Later (async ok), Stuck (never answers), Sub/Deep (async ok). */
function devices(): Provider {
  return {
    transactional: false,
    node(segs): Awaitable<NodeInfo | undefined> {
      switch (segs.join('/')) {
        case '':
          return { format: 'node', type: 'urn:dev', permanent: true, access: ['Get'], children: ['Ok', 'Down', 'Later', 'Stuck', 'Sub'] };
        case 'Ok':
          return leaf('fine');
        case 'Down':
          return Promise.reject(new Error('DEVICE_UNREACHABLE: connection refused'));
        case 'Later':
          return new Promise((r) => setTimeout(() => r(leaf('later')), 5));
        case 'Stuck':
          return new Promise(() => undefined);
        case 'Sub':
          return { format: 'node', type: '', permanent: true, access: ['Get'], children: ['Deep'] };
        case 'Sub/Deep':
          return Promise.resolve(leaf('deep'));
        default:
          return undefined;
      }
    },
  };
}

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _e, cb) {
      for (const l of chunk.toString().split('\n')) if (l.trim() !== '') lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  return { log: createLogger({ level: 'debug', destination }), lines };
}

test('readSubtree: a rejecting child and a stuck child are left out, the rest is served (200)', async () => {
  const f = makeTree();
  try {
    f.tree.mount('./Dev', devices());
    const { log, lines } = capture();
    const t0 = Date.now();
    const r = await readSubtree(f.tree, './Dev', null, 1000, { log, budgetMs: 200 });
    const took = Date.now() - t0;
    assert.equal(r.status, Status.OK);
    assert.deepEqual(Object.keys(r.value?.children ?? {}), ['Ok', 'Later', 'Sub']);
    assert.equal(r.value?.children?.Ok?.value, 'fine');
    assert.equal(r.value?.children?.Later?.value, 'later');
    assert.equal(r.value?.children?.Sub?.children?.Deep?.value, 'deep', 'children after the stuck one are still read when they answer at once');
    assert.ok(took < 2000, `bounded by the budget (${took} ms)`);
    const left = lines.filter((l) => l.msg === 'subtree: node left out').map((l) => [l.uri, l.level]);
    assert.deepEqual(left, [['./Dev/Down', 20], ['./Dev/Stuck', 20]]);
    assert.match(String(lines.find((l) => l.uri === './Dev/Down')?.reason), /DEVICE_UNREACHABLE/);
    await new Promise((res) => setTimeout(res, 20));
    assert.deepEqual(rejections, []);
  } finally {
    f.close();
  }
});

test('DM 2.0 GET and HPUT of the interior node answer 200 without the failing child (was 500)', async () => {
  const f = makeTree();
  try {
    const base = devices();
    f.tree.mount('./Dev', { ...base, node: (segs) => (segs.join('/') === 'Stuck' ? undefined : base.node(segs)) });
    const sent: Array<{ children?: Record<string, unknown> }> = [];
    const ops = new Dm2Ops({
      tree: f.tree, serverId: 'dm.isp',
      repo: { fetch: () => Promise.reject(new Error('unused')), send: (_m, _h, body) => {
        sent.push(JSON.parse(Buffer.from(body).toString()) as { children?: Record<string, unknown> });
        return Promise.resolve();
      } },
      subscriptions: { add: () => undefined, remove: () => false },
    });
    const [get, hput] = await ops.execute([{ cmd: 'GET', id: 1, uri: './Dev' }, { cmd: 'HPUT', id: 2, uri: './Dev', href: 'https://dr.example/x' }]);
    assert.equal(get?.status, Status.OK);
    assert.deepEqual(Object.keys((get?.data as { children?: Record<string, unknown> }).children ?? {}), ['Ok', 'Later', 'Sub']);
    assert.equal(hput?.status, Status.OK);
    assert.equal(sent.length, 1);
    assert.deepEqual(Object.keys(sent[0]?.children ?? {}), ['Ok', 'Later', 'Sub']);
  } finally {
    f.close();
  }
});
