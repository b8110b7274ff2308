import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openStore } from '../../bridge/store/db.js';
import { createTree } from '../../bridge/tree/index.js';
import { treeConfig, authority } from '../unit/tree/helpers.js';
import { fmt, measure, median } from './util.js';

const LEAVES = 100_000;
const PER_DIR = 100;
const SID = 'dm.bench.example';

/**
 * Get and Replace on a tree of 100,000 leaves as one ServerID with ACL checks, against plain
 * better-sqlite3 prepared statements doing the same reads and writes (same file settings).
 */
export default async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'dmb-bench-'));
  try {
    const store = openStore(join(dir, 'tree.db'));
    const { tree } = createTree({ store, config: treeConfig([authority('bench', SID)]) });
    const uri = (i: number) => `./Data/D${Math.floor(i / PER_DIR)}/L${i % PER_DIR}`;
    store.transaction(() => {
      for (let i = 0; i < LEAVES; i++) tree.add(uri(i), { format: 'chr', data: `value-${i}` }, null);
    });
    tree.replace('./Data?prop=ACL', { data: `Get=${SID}&Replace=${SID}` }, null);

    const plain = new Database(join(dir, 'plain.db'));
    plain.pragma('journal_mode = WAL');
    plain.pragma('synchronous = NORMAL');
    plain.exec('CREATE TABLE kv (path TEXT PRIMARY KEY, value TEXT, tstamp INTEGER, verno INTEGER) WITHOUT ROWID');
    const ins = plain.prepare('INSERT INTO kv VALUES (?, ?, 0, 0)');
    plain.transaction(() => {
      for (let i = 0; i < LEAVES; i++) ins.run(uri(i), `value-${i}`);
    })();
    const sel = plain.prepare<[string], { value: string }>('SELECT value FROM kv WHERE path = ?');
    const upd = plain.prepare('UPDATE kv SET value = ?, tstamp = ?, verno = verno + 1 WHERE path = ?');

    const pick = (i: number) => (i * 7919) % LEAVES;
    const runs = 3;
    const get: number[] = [], getBase: number[] = [], rep: number[] = [], repBase: number[] = [];
    for (let r = 0; r < runs; r++) {
      get.push(measure((i) => {
        const o = tree.get(uri(pick(i)), SID) as { status: number };
        if (o.status !== 200) throw new Error(`Get failed ${o.status}`);
      }).opsPerSec);
      getBase.push(measure((i) => {
        if (!sel.get(uri(pick(i)))) throw new Error('missing');
      }).opsPerSec);
      rep.push(measure((i) => {
        const o = tree.replace(uri(pick(i)), { data: `v${i}` }, SID) as { status: number };
        if (o.status !== 200) throw new Error(`Replace failed ${o.status}`);
      }, { batch: 200 }).opsPerSec);
      repBase.push(measure((i) => void upd.run(`v${i}`, Date.now(), uri(pick(i))), { batch: 200 }).opsPerSec);
    }
    const g = median(get), gb = median(getBase), rp = median(rep), rb = median(repBase);
    console.log(`tree (${fmt(LEAVES)} leaves, ACL-checked as one ServerID), median of ${runs} runs:`);
    console.log(`  Get      ${fmt(g).padStart(10)} ops/s   plain SQLite SELECT ${fmt(gb).padStart(10)} ops/s   time ratio ${fmt(gb / g, 2)}x   (target >= 200,000 ops/s)`);
    console.log(`  Replace  ${fmt(rp).padStart(10)} ops/s   plain SQLite UPDATE ${fmt(rb).padStart(10)} ops/s   time ratio ${fmt(rb / rp, 2)}x   (target <= 3x)`);
    plain.close();
    store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
