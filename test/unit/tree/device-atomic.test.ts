import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Status } from '../../../bridge/core/status.js';
import type { NodeInfo, Provider } from '../../../bridge/tree/provider.js';
import type { Awaitable, Outcome } from '../../../bridge/tree/types.js';
import { makeTree } from './helpers.js';

// Review finding 2: a device node looked up inside Atomic started a device call whose promise was
// dropped; its rejection was unhandled and Node exited. Now the tree never calls a device-served
// node inside Atomic (500 there) and observes any pending answer a provider still gives.

const rejections: unknown[] = [];
const onRejection = (e: unknown): void => void rejections.push(e);
process.on('unhandledRejection', onRejection);
after(() => void process.off('unhandledRejection', onRejection));

const settle = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

/** A device-like subtree: `Leaf` answers asynchronously and the device is down (rejects). */
function deviceProvider(opts: { declares: boolean; transactional: boolean }) {
  const calls = { node: 0, replace: 0 };
  const p: Provider = {
    transactional: opts.transactional,
    node(segs): Awaitable<NodeInfo | undefined> {
      calls.node++;
      if (segs.length === 0) return { format: 'node', type: '', permanent: true, access: ['Get'], children: ['Leaf'] };
      if (segs.join('/') !== 'Leaf') return undefined;
      return Promise.reject(new Error('DEVICE_UNREACHABLE'));
    },
    replace(): Awaitable<Outcome> {
      calls.replace++;
      return Promise.reject(new Error('DEVICE_UNREACHABLE'));
    },
  };
  if (opts.declares) p.deviceServed = (segs) => segs.length > 0;
  return { p, calls };
}

test('inside Atomic a device-served node is never called: 500, exists() false, no rejection', async () => {
  const f = makeTree();
  try {
    const dev = deviceProvider({ declares: true, transactional: true });
    f.tree.mount('./Dev', dev.p);
    const { result, committed } = f.tree.atomic(
      () => {
        const out: unknown[] = [];
        out.push(f.tree.exists('./Dev/Leaf'));
        out.push(f.tree.get('./Dev/Leaf', null));
        out.push(f.tree.replace('./Dev/Leaf', { data: 'x', format: 'chr' }, null));
        out.push(f.tree.add('./Dev/New', { data: 'x', format: 'chr' }, null));
        out.push(f.tree.delete('./Dev/Leaf', null));
        out.push(f.tree.exec('./Dev/Leaf', undefined, null));
        return out;
      },
      () => false,
    );
    assert.equal(committed, false);
    const [exists, ...outcomes] = result;
    assert.equal(exists, false);
    for (const o of outcomes) {
      assert.ok(!(o instanceof Promise), 'answered synchronously');
      assert.equal((o as Outcome).status, Status.COMMAND_FAILED);
    }
    assert.equal(dev.calls.node, 0, 'no device lookup inside Atomic');
    assert.equal(dev.calls.replace, 0, 'no device write inside Atomic');
    await settle();
    assert.deepEqual(rejections, []);

    // outside Atomic the same node is read normally (the failure reaches the awaiting caller)
    await assert.rejects(async () => f.tree.get('./Dev/Leaf', null), /DEVICE_UNREACHABLE/);
    assert.equal(dev.calls.node, 1);
  } finally {
    f.close();
  }
});

test('a provider that does not declare its device nodes: the pending answer is observed, never unhandled', async () => {
  const f = makeTree();
  try {
    const dev = deviceProvider({ declares: false, transactional: true });
    f.tree.mount('./Net', dev.p);
    const { result } = f.tree.atomic(
      () => ({ exists: f.tree.exists('./Net/Leaf'), got: f.tree.get('./Net/Leaf', null) }),
      () => false,
    );
    assert.equal(result.exists, false);
    assert.ok(!(result.got instanceof Promise));
    assert.equal(result.got.status, Status.NOT_FOUND);
    await settle();
    assert.deepEqual(rejections, [], 'no unhandled rejection');
  } finally {
    f.close();
  }
});

test('a transactional provider whose write answers asynchronously inside Atomic: 500 and the promise is observed', async () => {
  const f = makeTree();
  try {
    let rejected = 0;
    const p: Provider = {
      transactional: true,
      node: (segs) => (segs.length === 0 ? { format: 'node', type: '', permanent: true, children: ['L'] } : { format: 'chr', type: 'text/plain', permanent: true, value: 'v' }),
      replace: () => {
        rejected++;
        return Promise.reject(new Error('late failure'));
      },
    };
    f.tree.mount('./Odd', p);
    const { result, committed } = f.tree.atomic(() => f.tree.replace('./Odd/L', { data: 'x' }, null), () => true);
    assert.equal(committed, true);
    assert.ok(!(result instanceof Promise));
    assert.equal((result as Outcome).status, Status.COMMAND_FAILED);
    assert.equal(rejected, 1);
    await settle();
    assert.deepEqual(rejections, []);
  } finally {
    f.close();
  }
});
