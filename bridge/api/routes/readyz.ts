import type Router from '@koa/router';

/** The multicast self-test summary (structurally bridge/discovery's SelftestResult). */
export interface MulticastCheck {
  at: string;
  ok: boolean;
  problem: string | null;
  interfaces: Array<{ name: string; address: string; multicast: boolean }>;
}

export interface ReadinessSource {
  storeOpen(): boolean;
  /** Discovery (mDNS or SSDP) is on: then multicast must work. */
  discoveryEnabled(): boolean;
  /** Latest self-test result, null while the first one runs. */
  multicast(): MulticastCheck | null;
}

export interface ReadyzBody {
  ready: boolean;
  checks: {
    store: { ok: boolean; detail: string };
    multicast: { ok: boolean; detail: string; at: string | null; interfaces: MulticastCheck['interfaces'] };
  };
}

export function readiness(src: ReadinessSource): ReadyzBody {
  const storeOk = src.storeOpen();
  const m = src.multicast();
  const enabled = src.discoveryEnabled();
  let mOk: boolean;
  let detail: string;
  if (!enabled) {
    mOk = true;
    detail = 'discovery is off';
  } else if (m === null) {
    mOk = false;
    detail = 'multicast self-test pending';
  } else {
    mOk = m.ok;
    const good = m.interfaces.filter((i) => i.multicast).map((i) => i.name);
    detail = m.ok ? `multicast works on ${good.join(', ')}` : (m.problem ?? 'multicast does not work');
  }
  return {
    ready: storeOk && mOk,
    checks: {
      store: { ok: storeOk, detail: storeOk ? 'open' : 'closed' },
      multicast: {
        ok: mOk, detail, at: m?.at ?? null,
        interfaces: (m?.interfaces ?? []).map((i) => ({ name: i.name, address: i.address, multicast: i.multicast })),
      },
    },
  };
}

/** GET /readyz: 200 when the store is open and multicast works (or discovery is off), else 503; the body says why. */
export function readyzRoutes(router: Router, src: ReadinessSource): void {
  router.get('/readyz', (ctx) => {
    const body = readiness(src);
    ctx.status = body.ready ? 200 : 503;
    ctx.body = body;
  });
}
