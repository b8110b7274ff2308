import type { DeviceJson } from './routes/devices.js';
import type { AuthoritySummary, TreeNodeJson } from './types.js';

/** A failed API call: one-line message for the operator. */
export class ApiClientError extends Error {
  constructor(
    message: string,
    /** HTTP status when the bridge answered, undefined when it could not be reached. */
    readonly httpStatus?: number,
  ) {
    super(message);
    this.name = 'ApiClientError';
  }
}

export interface ApiClientOptions {
  host: string;
  port: number;
  token: string | null;
  timeoutMs?: number;
}

/** Where to connect for a listen address: wildcard binds are reached over loopback. */
export function connectUrl(host: string, port: number): string {
  const h = host === '0.0.0.0' || host === '' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${h.includes(':') ? `[${h}]` : h}:${port}`;
}

/** Client of the bridge's local API (used by the CLI). */
export function createApiClient(opts: ApiClientOptions) {
  const base = connectUrl(opts.host, opts.port);
  const timeoutMs = opts.timeoutMs ?? 10_000;

  async function getJson(path: string, method: 'GET' | 'POST' = 'GET', waitMs = timeoutMs): Promise<unknown> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (opts.token !== null) headers.authorization = `Bearer ${opts.token}`;
    let res: Response;
    try {
      res = await fetch(base + path, { method, headers, signal: AbortSignal.timeout(waitMs) });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause;
      const why = cause?.code ?? (err as Error).name;
      throw new ApiClientError(`bridge not reachable at ${base} (${why}); is it running?`);
    }
    const text = await res.text();
    let body: unknown;
    try {
      body = JSON.parse(text) as unknown;
    } catch {
      throw new ApiClientError(`unexpected answer from ${base}${path}: HTTP ${res.status}`, res.status);
    }
    if (!res.ok) {
      const e = (body as { error?: { code?: string; message?: string; status?: number } }).error;
      const dm = e?.status === undefined ? '' : `, DM status ${e.status}`;
      throw new ApiClientError(`${e?.message ?? 'request failed'} (HTTP ${res.status} ${e?.code ?? ''}${dm})`, res.status);
    }
    return body;
  }

  return {
    baseUrl: base,
    async health(): Promise<{ status: string }> {
      return (await getJson('/healthz')) as { status: string };
    },
    async getTree(uri: string, as: string | null): Promise<TreeNodeJson> {
      const q = new URLSearchParams({ uri });
      if (as !== null) q.set('as', as);
      return (await getJson(`/api/v1/tree?${q.toString()}`)) as TreeNodeJson;
    },
    async authorities(): Promise<AuthoritySummary[]> {
      return (await getJson('/api/v1/authorities')) as AuthoritySummary[];
    },
    async devices(): Promise<DeviceJson[]> {
      return (await getJson('/api/v1/devices')) as DeviceJson[];
    },
    /** Trigger a session; with `wait`, resolve with its report (sessions may take minutes). */
    async triggerSession(account: string, wait: boolean): Promise<unknown> {
      const path = `/api/v1/authorities/${encodeURIComponent(account)}/session${wait ? '?wait=true' : ''}`;
      return getJson(path, 'POST', wait ? 10 * 60_000 : timeoutMs);
    },
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;
