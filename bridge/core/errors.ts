import { Status } from './status.js';

/**
 * Every typed error of the bridge: a stable string code plus the DM status it maps to.
 * Internal details (`cause`, extra fields) go to the log, never the wire.
 */
export const ErrorCodes = {
  CONFIG_INVALID: { status: Status.BAD_REQUEST },
  URI_INVALID: { status: Status.BAD_REQUEST },
  URI_TOO_LONG: { status: Status.URI_TOO_LONG },
  NODE_NOT_FOUND: { status: Status.NOT_FOUND },
  NODE_EXISTS: { status: Status.ALREADY_EXISTS },
  NOT_ALLOWED: { status: Status.COMMAND_NOT_ALLOWED },
  NOT_SUPPORTED: { status: Status.OPTIONAL_FEATURE_NOT_SUPPORTED },
  PERMISSION_DENIED: { status: Status.PERMISSION_DENIED },
  ACL_INVALID: { status: Status.BAD_REQUEST },
  BAD_VALUE: { status: Status.BAD_REQUEST },
  BAD_FORMAT: { status: Status.UNSUPPORTED_MEDIA_TYPE },
  TOO_LARGE: { status: Status.REQUEST_ENTITY_TOO_LARGE },
  STORE_FAILURE: { status: Status.DATA_STORE_FAILURE },
  MESSAGE_MALFORMED: { status: Status.BAD_REQUEST },
  MESSAGE_TOO_LARGE: { status: Status.REQUEST_ENTITY_TOO_LARGE },
  AUTH_FAILED: { status: Status.UNAUTHORIZED },
  TIMEOUT: { status: Status.COMMAND_FAILED },
  DEVICE_UNREACHABLE: { status: Status.COMMAND_FAILED },
  /** A destination the bridge will not connect to (its own host, loopback, link-local...): 403. */
  DESTINATION_REFUSED: { status: Status.FORBIDDEN },
  INTERNAL: { status: Status.COMMAND_FAILED },
} as const satisfies Record<string, { status: number }>;

export type ErrorCode = keyof typeof ErrorCodes;

export class BridgeError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; status?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BridgeError';
    this.code = code;
    this.status = options?.status ?? ErrorCodes[code].status;
  }
}

/** The DM status for anything thrown: typed errors keep theirs, the rest is 500. */
export function statusOf(err: unknown): number {
  return err instanceof BridgeError ? err.status : Status.COMMAND_FAILED;
}
