// Child process for persistence.test.ts: commits one write, then dies by SIGKILL inside an Atomic.
import { openStore } from '../../../bridge/store/db.js';
import { createTree } from '../../../bridge/tree/index.js';
import { treeConfig } from './helpers.js';

const store = openStore(process.argv[2]!);
const { tree } = createTree({ store, config: treeConfig() });
tree.add('./Committed', { data: 'yes' }, null);
tree.atomic(() => {
  tree.add('./Uncommitted', { data: 'no' }, null);
  tree.replace('./Committed', { data: 'overwritten' }, null);
  process.kill(process.pid, 'SIGKILL');
  return true;
}, () => true);
