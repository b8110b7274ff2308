/**
 * Types of the DM 2.0 client session state machine (machine.ts). Like the DM 1.2 one:
 * `step(config, state, input) -> { state, send?, effects }`, `state` is plain serializable data
 * without secrets, and the machine never sees wire bytes (the connection runs the codec).
 */
import type { ClientPackage, Dm2Alert, Dm2Entry, Dm2Mo, Dm2Result, Dm2Trigger, ServerPackage } from '../../dm2-message.js';
import type { DigestState } from './http-auth.js';

export type Dm2AuthType = 'HTTP-BASIC' | 'HTTP-DIGEST' | 'TRANSPORT' | 'NONE';

export interface Dm2SessionConfig {
  /** Where every package is POSTed. */
  serverUri: string;
  sid: string;
  devId: string;
  trigger: Dm2Trigger;
  mos: Dm2Mo[];
  devInfo: Record<string, string>;
  authType: Dm2AuthType;
  username: string;
  password: string;
  /** Fresh Digest cnonce (default: 16 random bytes, hex). Injected so tests are deterministic. */
  newCnonce?: () => string;
  /** Most packages the client sends in one session (default 500). */
  maxPackages?: number;
}

export interface Dm2SessionState {
  phase: 'start' | 'wait-server' | 'executing' | 'wait-ack' | 'done';
  /** Number (`msg`) of the last client package sent. */
  msg: number;
  /** Number of the last server package accepted. */
  serverMsg: number;
  /** The last package sent, re-sent as is to answer a 401 challenge. */
  last: ClientPackage | null;
  digest: DigestState | null;
  /** 401s in a row for the same package. */
  authRetries: number;
  /** Outbox refs of the alerts carried by Package #1, acknowledged by the server's first package. */
  alertRefs: string[];
  /** The server package being executed contained END. */
  ending: boolean;
  packagesSent: number;
}

export interface PendingAlert {
  ref: string;
  alert: Dm2Alert;
}

export type Dm2SessionInput =
  | { kind: 'start'; alerts: PendingAlert[] }
  /** The server's HTTP answer: `pkg` when the body decoded, `error` when it did not. */
  | { kind: 'response'; status: number; wwwAuthenticate?: string | string[]; pkg?: ServerPackage; error?: string }
  | { kind: 'executed'; results: Dm2Result[] }
  | { kind: 'transportError'; reason: string }
  | { kind: 'abort'; reason: string };

export interface Dm2Send {
  url: string;
  pkg: ClientPackage;
  /** Value of the Authorization header, when one goes on this POST. */
  authorization?: string;
}

export type Dm2Effect =
  /** Run these entries in order (INVALID ones only need their result) and answer with `executed`. */
  | { kind: 'execute'; cmds: Dm2Entry[] }
  /** The server accepted Package #1: these outbox entries are delivered. */
  | { kind: 'alertsDelivered'; refs: string[] }
  | { kind: 'done'; outcome: 'ok' | 'aborted' | 'auth-failed' | 'error'; reason: string };

export interface Dm2StepResult {
  state: Dm2SessionState;
  send?: Dm2Send;
  effects: Dm2Effect[];
}
