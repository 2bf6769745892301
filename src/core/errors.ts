// One error type for the whole coach. Codes are stable API; messages are for logs.
// `userFacing` says whether the UI should show the localized message for `code` to the seller.
export const ErrorCodes = {
  EMPTY_FILE: 'EMPTY_FILE',
  NOT_AN_IMAGE: 'NOT_AN_IMAGE',
  UNSUPPORTED_FORMAT: 'UNSUPPORTED_FORMAT',
  CORRUPT_IMAGE: 'CORRUPT_IMAGE',
  TOO_SMALL: 'TOO_SMALL',
  TOO_LARGE: 'TOO_LARGE',
  /** Bigger than the listing site takes per photo (its limit, not ours). */
  OVER_SITE_LIMIT: 'OVER_SITE_LIMIT',
  MODEL_LOAD_FAILED: 'MODEL_LOAD_FAILED',
  BACKEND_FAILED: 'BACKEND_FAILED',
  /** The WebGL context went away mid-photo (GPU reset, driver update, too many tabs). */
  CONTEXT_LOST: 'CONTEXT_LOST',
  /** The worker scoring the photo died (out of memory, a crash). */
  WORKER_CRASHED: 'WORKER_CRASHED',
  CANCELLED: 'CANCELLED',
  INTERNAL: 'INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export class CoachError extends Error {
  readonly code: ErrorCode;
  readonly userFacing: boolean;
  constructor(code: ErrorCode, message: string, options: { userFacing?: boolean; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'CoachError';
    this.code = code;
    this.userFacing = options.userFacing ?? true;
  }
}

export function isCoachError(e: unknown): e is CoachError {
  return e instanceof CoachError;
}
