import type { Clock } from '../../core/clock.js';
import { Status } from '../../core/status.js';
import type { BridgeEvents, TypedEmitter } from '../../core/events.js';
import type { AccountRow, AccountsRepo } from '../../store/accounts-repo.js';
import type { Journal } from '../journal.js';
import type { NodeInfo, OpContext, Provider } from '../provider.js';
import type { NodeInput, Outcome } from '../types.js';
import { LeafIndex, type LeafSpec } from './leaf-tree.js';

export const DMACC_URN = 'urn:oma:mo:oma-dm-dmacc:1.0';

/** An authority's settings as the config file states them (structurally the config's authority). */
export interface AuthoritySettings {
  account: string;
  serverId: string;
  protocol: string;
  serverUri: string;
  notifyUri: string | null;
  encoding: string;
  auth: { type: string; clientName: string; clientSecret: string; serverSecret: string | null };
  pollSeconds: number;
  tls: { ca: string | null; pinSha256: string | null; cert: string | null; key: string | null };
  bootstrap: boolean;
}

/** What the store keeps per account: the settings plus DMAcc-only fields changed through DM. */
export interface AccountData extends AuthoritySettings {
  name?: string;
  aauthPref?: string;
  deviceEvents?: boolean;
}

/**
 * ./DMAcc/<account>: one DMAcc MO per authority, from the accounts table (seeded from the config).
 * AAuthSecret, AAuthData and TLS/Key are never readable; nonces come from the auth state.
 */
export class DmAccProvider implements Provider {
  readonly transactional = true;

  constructor(
    private readonly repo: AccountsRepo,
    private readonly journal: Journal,
    private readonly events: TypedEmitter<BridgeEvents>,
    private readonly clock: Clock,
    /** Called once an account is gone, to strip its ServerID from every ACL. */
    private readonly onDeleted: (serverId: string) => void,
  ) {}

  node(segs: readonly string[]): NodeInfo | undefined {
    if (segs.length === 0) {
      return { format: 'node', type: '', permanent: true, access: ['Get', 'Add'], children: this.repo.all().map((r) => r.account) };
    }
    const row = this.repo.get(segs[0]!);
    if (!row) return undefined;
    const info = this.index(row).info(segs.slice(1).join('/'), DMACC_URN, false);
    if (info && segs.length === 1) info.access = ['Get', 'Delete'];
    return info;
  }

  replace(segs: readonly string[], input: NodeInput, ctx: OpContext): Outcome {
    const row = this.repo.get(segs[0] ?? '');
    if (!row) return { status: Status.NOT_FOUND };
    return this.index(row).replace(segs.slice(1).join('/'), input, ctx);
  }

  delete(segs: readonly string[], _ctx: OpContext): Outcome {
    if (segs.length !== 1) return { status: Status.COMMAND_NOT_ALLOWED };
    const row = this.repo.get(segs[0]!);
    if (!row) return { status: Status.NOT_FOUND };
    this.repo.delete(row.account);
    this.onDeleted(row.serverId);
    this.journal.defer(() => this.events.emit('account.changed', { account: row.account, serverId: row.serverId, op: 'Delete' }));
    return { status: Status.OK };
  }

  private index(row: AccountRow): LeafIndex {
    const d = JSON.parse(row.data) as AccountData;
    const save = (patch: Partial<AccountData>): Outcome => {
      const next = { ...d, ...patch };
      this.repo.update({ ...row, origin: 'dm', data: JSON.stringify(next), updatedAt: this.clock.now() });
      this.journal.defer(() => this.events.emit('account.changed', { account: row.account, serverId: row.serverId, op: 'Replace' }));
      return { status: Status.OK };
    };
    const nonce = (dir: 'client' | 'server') => () => this.repo.nonce(row.account, dir) ?? '';
    const text = (path: string, get: () => string, set?: (v: string) => Outcome): LeafSpec =>
      set ? { path, format: 'chr', get, set } : { path, format: 'chr', get };
    const secret = (path: string, format: 'chr' | 'bin', get: () => string, set?: (v: string) => Outcome): LeafSpec =>
      set ? { path, format, get, set, secret: true } : { path, format, get, secret: true };
    const uri = (v: string): Outcome | undefined =>
      /^(https?|wss?):\/\/[^\s]+$/.test(v) ? undefined : { status: Status.BAD_REQUEST, reason: 'expected an absolute URI' };
    return new LeafIndex([
      text('AppID', () => 'w7'),
      text('ServerID', () => d.serverId),
      text('Name', () => d.name ?? d.account, (v) => save({ name: v })),
      text('AppAddr/1/Addr', () => d.serverUri, (v) => uri(v) ?? save({ serverUri: v })),
      text('AppAddr/1/AddrType', () => 'URI'),
      text('AAuthPref', () => d.aauthPref ?? d.auth.type),
      text('AppAuth/Client/AAuthLevel', () => 'CLCRED'),
      text('AppAuth/Client/AAuthType', () => d.auth.type),
      text('AppAuth/Client/AAuthName', () => d.auth.clientName, (v) => save({ auth: { ...d.auth, clientName: v } })),
      secret('AppAuth/Client/AAuthSecret', 'chr', () => d.auth.clientSecret, (v) => save({ auth: { ...d.auth, clientSecret: v } })),
      secret('AppAuth/Client/AAuthData', 'bin', nonce('client')),
      text('AppAuth/Server/AAuthLevel', () => 'SRVCRED'),
      text('AppAuth/Server/AAuthType', () => d.auth.type),
      text('AppAuth/Server/AAuthName', () => d.serverId),
      secret('AppAuth/Server/AAuthSecret', 'chr', () => d.auth.serverSecret ?? '', (v) => save({ auth: { ...d.auth, serverSecret: v } })),
      secret('AppAuth/Server/AAuthData', 'bin', nonce('server')),
      text('Ext/Bridge/Protocol', () => d.protocol),
      text('Ext/Bridge/Encoding', () => d.encoding),
      text('Ext/Bridge/NotifyURI', () => d.notifyUri ?? '', (v) => (v === '' ? save({ notifyUri: null }) : uri(v) ?? save({ notifyUri: v }))),
      {
        path: 'Ext/Bridge/PollSeconds',
        format: 'int',
        get: () => String(d.pollSeconds),
        set: (v) => (/^\d{1,9}$/.test(v) && +v >= 60 ? save({ pollSeconds: +v }) : { status: Status.BAD_REQUEST, reason: 'expected an integer >= 60' }),
      },
      { path: 'Ext/Bridge/Bootstrap', format: 'bool', get: () => String(d.bootstrap) },
      {
        path: 'Ext/Bridge/DeviceEvents',
        format: 'bool',
        get: () => String(d.deviceEvents ?? true),
        set: (v) => (v === 'true' || v === 'false' ? save({ deviceEvents: v === 'true' }) : { status: Status.BAD_REQUEST, reason: 'expected true or false' }),
      },
      text('Ext/Bridge/TLS/CA', () => d.tls.ca ?? ''),
      text('Ext/Bridge/TLS/PinSHA256', () => d.tls.pinSha256 ?? ''),
      text('Ext/Bridge/TLS/Cert', () => d.tls.cert ?? ''),
      secret('Ext/Bridge/TLS/Key', 'chr', () => d.tls.key ?? ''),
    ]);
  }
}
