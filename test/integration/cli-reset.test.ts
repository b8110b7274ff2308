// `dm-bridge reset`: refused while the bridge's API answers, refused without --yes, else back to the config state.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { resetCommand } from '../../bridge/cli-reset.js';
import { openStore } from '../../bridge/store/db.js';
import { createTree } from '../../bridge/tree/index.js';
import { authority, treeConfig } from '../unit/tree/helpers.js';

class Failed extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}
const fail = (m: string, c: number) => new Failed(m, c);

test('reset refuses while the API answers, needs --yes, then empties what MAs changed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dmb-reset-'));
  const api = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
  const port = (api.address() as AddressInfo).port;
  const store = join(dir, 'bridge.db');
  const cfgFile = join(dir, 'config.json');
  const auth = authority('boot', 'dm.boot', { bootstrap: true, serverUri: 'https://dm.boot.example/dm' });
  writeFileSync(cfgFile, JSON.stringify({ store: { path: store }, api: { host: '127.0.0.1', port }, discovery: { mdns: false, ssdp: false }, authorities: [auth] }));
  try {
    const s = openStore(store);
    const t = createTree({ store: s, config: treeConfig([auth]) });
    assert.equal((t.tree.add('./Mine', { format: 'node' }, 'dm.boot') as { status: number }).status, 200);
    s.close();
    const out: string[] = [];
    await assert.rejects(resetCommand({ config: cfgFile, yes: true }, (x) => out.push(x), fail), (e: Failed) => e.code === 1 && /bridge is running/.test(e.message));
    await new Promise<void>((r) => api.close(() => r()));
    await assert.rejects(resetCommand({ config: cfgFile }, (x) => out.push(x), fail), (e: Failed) => e.code === 2 && /--yes/.test(e.message));
    const summary = await resetCommand({ config: cfgFile, yes: true }, (x) => out.push(x), fail);
    assert.ok((summary.deleted.nodes ?? 0) > 0);
    assert.match(out.join(''), /rows removed/);
    const s2 = openStore(store);
    try {
      const t2 = createTree({ store: s2, config: treeConfig([auth]) });
      assert.equal((t2.tree.get('./Mine', null) as { status: number }).status, 404);
      assert.deepEqual(t2.accounts.all().map((a) => a.account), ['boot']);
    } finally {
      s2.close();
    }
  } finally {
    api.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
