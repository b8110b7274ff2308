import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from '../../../bridge/store/db.js';
import { createTree, type TreeBundle, type TreeConfig } from '../../../bridge/tree/index.js';
import type { AuthoritySettings } from '../../../bridge/tree/providers/dmacc-provider.js';

export function authority(account: string, serverId: string, extra: Partial<AuthoritySettings> = {}): AuthoritySettings {
  return {
    account,
    serverId,
    protocol: 'dm1.2',
    serverUri: `https://${serverId}/dm`,
    notifyUri: null,
    encoding: 'xml',
    auth: { type: 'DIGEST', clientName: `gw-${account}`, clientSecret: `cs-${account}-secret`, serverSecret: `ss-${account}-secret` },
    pollSeconds: 86400,
    tls: { ca: null, pinSha256: null, cert: null, key: null },
    bootstrap: false,
    ...extra,
  };
}

export function treeConfig(authorities: AuthoritySettings[] = []): TreeConfig {
  return {
    device: { devId: 'urn:dev:mac:0242ac110002', man: 'Acme', mod: 'HG-1', lang: 'en-US' },
    discovery: { mdns: true, ssdp: true, ttlSeconds: 1800, serviceTypes: ['_http._tcp', '_ipp._tcp'] },
    authorities,
    log: { level: 'info' },
    tree: { maxDepth: 16, maxTotLen: 256, maxSegLen: 64 },
  };
}

export interface Fixture extends TreeBundle {
  store: Store;
  dir: string;
  file: string;
  reopen(config?: TreeConfig): Fixture;
  close(): void;
}

/** A tree over a real SQLite file in a fresh temp folder. */
export function makeTree(config: TreeConfig = treeConfig(), dir = mkdtempSync(join(tmpdir(), 'dmb-tree-'))): Fixture {
  const file = join(dir, 'bridge.db');
  const store = openStore(file);
  const bundle = createTree({ store, config });
  return {
    ...bundle,
    store,
    dir,
    file,
    reopen(next = config) {
      store.close();
      return makeTree(next, dir);
    },
    close() {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
