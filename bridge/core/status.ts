/**
 * DM status codes (OMA-TS-DM_RepPro 1.2 §10, PROTOCOL.md §2.7).
 * One table; every error in the bridge maps to one of these.
 */
export const Status = {
  OK: 200,
  ACCEPTED: 202,
  AUTH_ACCEPTED: 212,
  CHUNK_ACCEPTED: 213,
  OPERATION_CANCELLED: 214,
  NOT_EXECUTED: 215,
  ATOMIC_ROLLBACK_OK: 216,
  NOT_MODIFIED: 304,
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  COMMAND_NOT_ALLOWED: 405,
  OPTIONAL_FEATURE_NOT_SUPPORTED: 406,
  AUTH_REQUIRED: 407,
  REQUEST_TIMEOUT: 408,
  INCOMPLETE_COMMAND: 412,
  REQUEST_ENTITY_TOO_LARGE: 413,
  URI_TOO_LONG: 414,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RANGE_NOT_SATISFIABLE: 416,
  ALREADY_EXISTS: 418,
  DEVICE_FULL: 420,
  SIZE_MISMATCH: 424,
  PERMISSION_DENIED: 425,
  COMMAND_FAILED: 500,
  ATOMIC_FAILED: 507,
  DATA_STORE_FAILURE: 510,
  ATOMIC_ROLLBACK_FAILED: 516,
  ATOMIC_RESPONSE_TOO_LARGE: 517,
} as const;

export type StatusCode = (typeof Status)[keyof typeof Status];

/** Success codes: the 2xx class. */
export function isSuccess(code: number): boolean {
  return code >= 200 && code < 300;
}

/** Map a DM status to the HTTP status the local API answers with. */
export function httpStatusOf(dm: number): number {
  if (isSuccess(dm)) return 200;
  switch (dm) {
    case Status.PERMISSION_DENIED:
    case Status.FORBIDDEN:
      return 403;
    case Status.UNAUTHORIZED:
    case Status.AUTH_REQUIRED:
      return 401;
    case Status.NOT_FOUND:
      return 404;
    case Status.COMMAND_NOT_ALLOWED:
      return 405;
    case Status.OPTIONAL_FEATURE_NOT_SUPPORTED:
      return 406;
    case Status.URI_TOO_LONG:
      return 414;
    case Status.REQUEST_ENTITY_TOO_LARGE:
      return 413;
    case Status.ALREADY_EXISTS:
      return 409;
    case Status.BAD_REQUEST:
    case Status.UNSUPPORTED_MEDIA_TYPE:
    case Status.INCOMPLETE_COMMAND:
      return 400;
    default:
      return dm >= 500 ? 500 : 400;
  }
}
