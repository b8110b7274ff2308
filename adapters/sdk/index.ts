/**
 * The adapter contract (ARCHITECTURE.md "The adapter contract"): types and typed errors only.
 * An adapter claims devices and exposes each as a small subtree under the device's `MO/` node.
 * Adapters import nothing but this module.
 */

/** DM leaf formats an adapter may declare ('node' marks an interior node). */
export type Format = 'chr' | 'int' | 'bool' | 'float' | 'b64' | 'bin' | 'xml' | 'date' | 'time' | 'null';

/** The commands a node supports. */
export type Access = 'Get' | 'Replace' | 'Exec';

/** One node of a device subtree; `path` is relative to `MO/` ("Services/cds/State/SystemUpdateID"). */
export interface NodeSpec {
  /** Segments joined by "/"; each segment only `[A-Za-z0-9._~-]` (valid URI segments). */
  path: string;
  format: Format | 'node';
  /** MIME type of a leaf (default text/plain) or the DDF type of an interior node. */
  type?: string;
  /** What the node supports; interior nodes are Get only. */
  access: readonly Access[];
}

/** A leaf value: text in the node's format (b64/bin: base64), or a number/boolean/bytes the host encodes. */
export type Value = string | number | boolean | Uint8Array;

/** An Exec either finished (-> 200) or was accepted and finishes later (-> 202, then an alert). */
export type ExecOutcome = { done: true; data?: string } | { done: false; later: Promise<{ data?: string }> };

/** Minimal structured logger (a pino logger fits). */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Who asks (an authority's ServerID, null for the bridge itself), the deadline, a logger. */
export interface AdapterContext {
  authority: string | null;
  signal: AbortSignal;
  log: Logger;
}

/** A service the device offers, as discovery and the inventory know it. */
export interface DeviceServiceRecord {
  protocol: 'mdns' | 'upnp';
  type: string;
  id: string;
  /** TCP/UDP port (mDNS SRV; 0 = a placeholder such as `_printer._tcp` "no LPD": not a usable service). */
  port?: number;
  /** UPnP: the control URL; mDNS: the host name. */
  url?: string;
  /**
   * mDNS only: the TXT keys adapters use (keys lower-case, values at most 255 chars); absent when none
   * were seen. The inventory keeps just these (bridge/inventory/classify.ts TXT_KEYS): `rp` = IPP resource path
   * without the leading "/" (RFC 8010 / IPP Everywhere; "" = the root).
   */
  txt?: Readonly<Record<string, string>>;
}

/** What the bridge knows about a device (from discovery and the inventory). */
export interface DeviceRecord {
  devId: string;
  name: string;
  type: string;
  manufacturer: string;
  model: string;
  /** "upnp", "mdns". */
  protocols: readonly string[];
  /** Last known IP address. */
  address: string;
  services: readonly DeviceServiceRecord[];
  /** UPnP: the SSDP LOCATION (device description URL) last seen. */
  location?: string;
  /** The bridge's own address on the device's LAN (for callbacks such as GENA), when known. */
  localAddress?: string;
}

/** An attached device. Every call runs under the host's deadline (`ctx.signal`). */
export interface DeviceHandle {
  /** The subtree: relative paths, format, type, access. May change; the host re-reads it. */
  describe(): NodeSpec[];
  get(path: string, ctx: AdapterContext): Promise<Value>;
  replace?(path: string, v: string, ctx: AdapterContext): Promise<void>;
  exec?(path: string, arg: string | undefined, ctx: AdapterContext): Promise<ExecOutcome>;
  /** Value changes the device reports by itself (the host rate-limits them). */
  onChange?(cb: (path: string, v: Value) => void): void;
  detach(): Promise<void>;
}

export interface Adapter {
  /** "upnp", "ipp", ...: also ./Bridge/Adapters/<name>/Enabled. */
  name: string;
  /** From discovery data only (no I/O). */
  matches(d: DeviceRecord): boolean;
  attach(d: DeviceRecord, ctx: AdapterContext): Promise<DeviceHandle>;
}

// ---- typed errors: the host maps them to DM status codes ----

export type AdapterErrorCode = 'DEVICE_FAILED' | 'DEVICE_UNREACHABLE' | 'NOT_SUPPORTED' | 'BAD_VALUE' | 'TIMEOUT';

/** A device-side failure (-> 500 with the message as reason); the base of the typed errors. */
export class AdapterError extends Error {
  readonly code: AdapterErrorCode = 'DEVICE_FAILED';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The device did not answer or refused the connection (-> 500, "unreachable"). */
export class DeviceUnreachable extends AdapterError {
  override readonly code = 'DEVICE_UNREACHABLE';
}

/** The node or operation is not supported by this device (-> 406). */
export class NotSupported extends AdapterError {
  override readonly code = 'NOT_SUPPORTED';
}

/** The value does not fit (-> 400), or its format does not (`format: true` -> 415). */
export class BadValue extends AdapterError {
  override readonly code = 'BAD_VALUE';
  readonly format: boolean;
  constructor(message: string, options?: { cause?: unknown; format?: boolean }) {
    super(message, options);
    this.format = options?.format ?? false;
  }
}

/** The deadline passed (-> 500, "timeout"). */
export class Timeout extends AdapterError {
  override readonly code = 'TIMEOUT';
}

/** Segment rule of the tree: names an adapter emits must match it. */
export const SEGMENT = /^[A-Za-z0-9._~-]{1,64}$/;
