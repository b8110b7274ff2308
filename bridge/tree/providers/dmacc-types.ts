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
  /**
   * Accounts created through DM only: the DMAcc paths the MA added (leaves and interiors); the
   * others are absent and can still be added. Config accounts show every leaf.
   */
  nodes?: string[];
}

export const DM12_AUTH: readonly string[] = ['BASIC', 'DIGEST', 'HMAC', 'TRANSPORT'];
export const DM20_AUTH: readonly string[] = ['HTTP-BASIC', 'HTTP-DIGEST', 'TRANSPORT'];

/** The settings a DMAcc Add starts from (ServerID, address, protocol and credentials still missing). */
export function blankAccount(account: string): AccountData {
  return {
    account,
    serverId: '',
    protocol: '',
    serverUri: '',
    notifyUri: null,
    encoding: 'xml',
    auth: { type: '', clientName: '', clientSecret: '', serverSecret: null },
    pollSeconds: 86400,
    tls: { ca: null, pinSha256: null, cert: null, key: null },
    bootstrap: false,
    nodes: [],
  };
}

/** The DMAcc leaves an account needs before it can run (empty when complete). */
export function missingLeaves(d: AccountData): string[] {
  const out: string[] = [];
  if (d.serverId === '') out.push('ServerID');
  if (d.serverUri === '') out.push('AppAddr/1/Addr');
  if (d.auth.type === '') out.push('AAuthPref or AppAuth/Client/AAuthType');
  if (d.protocol === '') out.push('Ext/Bridge/Protocol');
  if ((d.tls.cert === null) !== (d.tls.key === null)) out.push(d.tls.cert === null ? 'Ext/Bridge/TLS/Cert' : 'Ext/Bridge/TLS/Key');
  if (d.auth.type === 'TRANSPORT') {
    if (d.tls.cert === null || d.tls.key === null) out.push('Ext/Bridge/TLS/Cert and Key');
  } else if (d.auth.type !== '') {
    if (d.auth.clientName === '') out.push('AppAuth/Client/AAuthName');
    if (d.auth.clientSecret === '') out.push('AppAuth/Client/AAuthSecret');
  }
  return out;
}

/** Rules across leaves of a complete account (the config file's cross-checks); a reason or null. */
export function accountProblem(d: AccountData): string | null {
  const allowed = d.protocol === 'dm1.2' ? DM12_AUTH : DM20_AUTH;
  if (!allowed.includes(d.auth.type)) return `AAuthType ${d.auth.type} does not fit ${d.protocol} (expected ${allowed.join('|')})`;
  if (d.protocol === 'dm2.0' && d.encoding !== 'xml') return 'Encoding wbxml applies to dm1.2 only';
  if (d.auth.type === 'TRANSPORT' && !d.serverUri.startsWith('https:')) return 'TRANSPORT auth needs an https:// address';
  return null;
}
