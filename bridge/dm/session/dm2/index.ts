/** DM 2.0 client session: a pure state machine on decoded packages, plus HTTP Basic/Digest helpers. */
export { dm2Step, initialDm2State } from './machine.js';
export * from './types.js';
export * from './http-auth.js';
