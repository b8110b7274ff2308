/** DM 1.2 client session: a pure state machine on decoded Messages (see machine.ts). */
export { initialState, step } from './machine.js';
export type {
  AuthType,
  DevInfo,
  Effect,
  MacCheck,
  Outbound,
  OutboundAlert,
  OutboxEntry,
  Outcome,
  PendingBatch,
  Phase,
  ReplyDraft,
  ResultsDraft,
  SessionConfig,
  SessionInput,
  SessionState,
  StatusDraft,
  StepResult,
  UnknownRef,
} from './types.js';
