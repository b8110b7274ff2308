import type { Clock } from '../core/clock.js';
import type { AccountsRepo } from '../store/accounts-repo.js';
import type { TombstonesRepo } from '../store/tombstones-repo.js';
import type { AclTable } from './acl-table.js';
import type { AuthoritySettings } from './providers/dmacc-provider.js';

/**
 * Apply the config file (the factory state) to the accounts table: config accounts not changed
 * through DM follow the file; those gone from the file are removed (their ServerID leaves every ACL).
 * Accounts an MA created stay; accounts an MA deleted (tombstoned) stay deleted until a reset.
 */
export function syncConfigAccounts(
  repo: AccountsRepo,
  authorities: readonly AuthoritySettings[],
  clock: Clock,
  removeServerId: (serverId: string) => void,
  tombstones: TombstonesRepo,
): void {
  const wanted = new Map(authorities.map((a) => [a.account, a]));
  for (const row of repo.all()) {
    if (row.origin === 'config' && !wanted.has(row.account)) {
      repo.delete(row.account);
      removeServerId(row.serverId);
    }
  }
  for (const a of authorities) {
    if (tombstones.has(a.account)) continue;
    const row = repo.get(a.account);
    const data = JSON.stringify(a);
    if (!row) repo.insert({ account: a.account, serverId: a.serverId, origin: 'config', data, updatedAt: clock.now() });
    else if (row.origin === 'config' && row.data !== data) {
      repo.update({ ...row, serverId: a.serverId, data, updatedAt: clock.now() });
    }
  }
}

/** Factory ACLs (ARCHITECTURE.md "Factory ACLs"), set only where a node has none yet. */
export function seedFactoryAcls(acls: AclTable, repo: AccountsRepo): void {
  const rows = repo.all();
  const boot = rows.filter((r) => (JSON.parse(r.data) as AuthoritySettings).bootstrap).map((r) => r.serverId);
  const ids = (list: readonly string[]) => list.join('+');
  acls.seed('./DevInfo', 'Get=*');
  acls.seed('./DevDetail', 'Get=*');
  acls.seed('./GwMO/DevInventory', 'Get=*');
  acls.seed('./DMAcc', boot.length > 0 ? `Add=${ids(boot)}&Get=*` : 'Get=*');
  for (const r of rows) {
    const who = ids([r.serverId, ...boot.filter((b) => b !== r.serverId)]);
    acls.seed(`./DMAcc/${r.account}`, `Get=${who}&Replace=${who}` + (boot.length > 0 ? `&Delete=${ids(boot)}` : ''));
  }
  acls.seed('./Bridge', boot.length > 0 ? `Get=*&Replace=${ids(boot)}` : 'Get=*&Replace=*');
}
