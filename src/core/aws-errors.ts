/**
 * Pure decisions about AWS API errors and retry timing. The SDK waiters turn every
 * error into "retry", so an expired session or a missing permission looks like a slow task; our own loops ask
 * this module instead: throttling and transient faults are retried with full-jitter back-off, access and
 * credential problems fail at once.
 */

export type AwsErrorClass =
  /** Rate limited: back off and retry. */
  | 'throttling'
  /** 5xx, connection reset, timeouts: retry a bounded number of times. */
  | 'transient'
  /** The role lacks a permission: retrying cannot help. */
  | 'access'
  /** Expired or invalid credentials (an OIDC session that ran out): retrying cannot help. */
  | 'credentials'
  | 'not-found'
  | 'conflict'
  /** Anything else (validation, client errors): a bug or bad input, not retried. */
  | 'other';

/** The parts of an SDK v3 error (ServiceException, or a Node network error) this module looks at. */
export interface ErrorLike {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: { throttling?: boolean };
}

const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'ProvisionedThroughputExceededException',
  'LimitExceededException',
  'SlowDown',
]);
const ACCESS = new Set([
  'AccessDeniedException',
  'AccessDenied',
  'UnauthorizedOperation',
  'UnauthorizedException',
]);
const CREDENTIALS = new Set([
  'ExpiredTokenException',
  'ExpiredToken',
  'RequestExpired',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'CredentialsProviderError',
  'MissingAuthenticationTokenException',
]);
const NOT_FOUND = new Set([
  'ResourceNotFoundException',
  'ClusterNotFoundException',
  'ServiceNotFoundException',
  'TaskSetNotFoundException',
  'NotFoundException',
]);
const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
]);
const TRANSIENT_NAMES = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'ServerException',
]);

export function classifyAwsError(error: unknown): AwsErrorClass {
  if (typeof error !== 'object' || error === null) return 'other';
  const e = error as ErrorLike;
  const name = e.name ?? '';
  const status = e.$metadata?.httpStatusCode;
  if (THROTTLING.has(name) || status === 429 || e.$retryable?.throttling === true) return 'throttling';
  if (CREDENTIALS.has(name)) return 'credentials';
  if (ACCESS.has(name) || status === 403) return 'access';
  if (NOT_FOUND.has(name)) return 'not-found';
  if (name === 'ConflictException') return 'conflict';
  if (TRANSIENT_NAMES.has(name) || (status !== undefined && status >= 500)) return 'transient';
  if (e.code && TRANSIENT_CODES.has(e.code)) return 'transient';
  return 'other';
}

/** Whether an error class is worth another attempt. */
export function isRetryable(kind: AwsErrorClass): boolean {
  return kind === 'throttling' || kind === 'transient';
}

/**
 * "Full jitter" back-off: a uniformly random wait in [0, min(cap, base·2^attempt)). `random` is injected so
 * tests are deterministic. attempt starts at 0.
 */
export function fullJitterDelay(
  attempt: number,
  baseMs: number,
  capMs: number,
  random: () => number,
): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt));
  return Math.floor(random() * ceiling);
}

/** What to tell the operator about an access or credential failure (the SDK waiters hide these). */
export function accessHint(kind: AwsErrorClass, operation: string): string {
  if (kind === 'credentials')
    return (
      `the AWS credentials expired or are invalid during ${operation}; a long wait needs a longer role session ` +
      '(configure-aws-credentials role-duration-seconds)'
    );
  return `grant the role permission for ${operation} (see the IAM policy in the docs)`;
}
