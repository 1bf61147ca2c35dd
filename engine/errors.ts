// One error type for the whole engine, with stable string codes callers can switch on.
// Errors cross threads and sockets as {code, message} (see toErrorPayload / fromErrorPayload).

export const ErrorCodes = {
  // Files in the home
  HOME_UNUSABLE: 'HOME_UNUSABLE',
  IDENTITY_CORRUPT: 'IDENTITY_CORRUPT',
  IDENTITY_UNREADABLE: 'IDENTITY_UNREADABLE',
  /** The identity key needs a passphrase or PIN and none was given. */
  IDENTITY_LOCKED: 'IDENTITY_LOCKED',
  /** The passphrase or PIN given does not unlock the identity key. */
  IDENTITY_WRONG_PASSPHRASE: 'IDENTITY_WRONG_PASSPHRASE',
  /** The OS secret store or hardware token that protects the identity key cannot be used now. */
  KEY_STORE_UNAVAILABLE: 'KEY_STORE_UNAVAILABLE',
  /** Another process is moving the identity key between forms right now. */
  IDENTITY_BUSY: 'IDENTITY_BUSY',
  TRUST_STORE_CORRUPT: 'TRUST_STORE_CORRUPT',
  TRUST_STORE_UNREADABLE: 'TRUST_STORE_UNREADABLE',
  CONFIG_INVALID: 'CONFIG_INVALID',
  NODE_ALREADY_RUNNING: 'NODE_ALREADY_RUNNING',
  NODE_NOT_RUNNING: 'NODE_NOT_RUNNING',

  // Wire: every handshake or authentication failure collapses to HANDSHAKE_FAILED on the wire.
  HANDSHAKE_FAILED: 'HANDSHAKE_FAILED',
  HANDSHAKE_TIMEOUT: 'HANDSHAKE_TIMEOUT',
  FRAME_TOO_LARGE: 'FRAME_TOO_LARGE',
  FRAME_MALFORMED: 'FRAME_MALFORMED',
  DECRYPT_FAILED: 'DECRYPT_FAILED',
  CHANNEL_CLOSED: 'CHANNEL_CLOSED',
  PEER_UNTRUSTED: 'PEER_UNTRUSTED',
  PEER_REVOKED: 'PEER_REVOKED',
  PEER_KEY_CHANGED: 'PEER_KEY_CHANGED',
  CONSENT_DENIED: 'CONSENT_DENIED',
  CONSENT_QUEUE_FULL: 'CONSENT_QUEUE_FULL',
  CONSENT_NOT_FOUND: 'CONSENT_NOT_FOUND',
  PROTOCOL_VERSION: 'PROTOCOL_VERSION',
  CONNECT_FAILED: 'CONNECT_FAILED',
  DISCOVERY_FAILED: 'DISCOVERY_FAILED',
  TIMEOUT: 'TIMEOUT',

  // Storage and cluster
  QUOTA_EXCEEDED: 'QUOTA_EXCEEDED',
  MEMORY_FULL: 'MEMORY_FULL',
  NOT_FOUND: 'NOT_FOUND',
  FORBIDDEN: 'FORBIDDEN',
  CORRUPT_BLOCK: 'CORRUPT_BLOCK',
  NO_PEERS: 'NO_PEERS',
  PEER_NOT_FOUND: 'PEER_NOT_FOUND',
  PEER_GONE: 'PEER_GONE',
  CANCELLED: 'CANCELLED',
  /** A cache item's data was evicted by the lenders that held it (cache durability allows that). */
  EVICTED: 'EVICTED',
  /** A holder has too many of our requests waiting for us to read its replies; nothing was done. */
  BUSY: 'BUSY',

  // Build-cache endpoint
  CACHE_STOPPED: 'CACHE_STOPPED',

  // Local API
  /** The action would replace something the user set up (e.g. a team membership); asked again with a confirmation it proceeds. */
  CONFIRMATION_REQUIRED: 'CONFIRMATION_REQUIRED',
  BAD_REQUEST: 'BAD_REQUEST',
  BAD_ARGUMENT: 'BAD_ARGUMENT',
  INTERNAL: 'INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

const knownCodes: ReadonlySet<string> = new Set(Object.values(ErrorCodes));

export class MemCloudError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MemCloudError';
    this.code = code;
  }
}

export interface ErrorPayload {
  readonly code: ErrorCode;
  readonly message: string;
}

/**
 * A MemCloudError without a captured stack, for failures reported from event handlers (a socket's
 * 'close' or 'error'), where the stack is the event loop's and says nothing, and capturing it costs
 * tens of microseconds on paths every connection takes.
 */
export function stacklessError(code: ErrorCode, message: string): MemCloudError {
  const V8Error = Error as ErrorConstructor & { stackTraceLimit: number }; // V8's, in Node and Electron
  const limit = V8Error.stackTraceLimit;
  V8Error.stackTraceLimit = 0;
  try {
    return new MemCloudError(code, message);
  } finally {
    V8Error.stackTraceLimit = limit;
  }
}

export function isMemCloudError(err: unknown, code?: ErrorCode): err is MemCloudError {
  return err instanceof MemCloudError && (code === undefined || err.code === code);
}

/**
 * Any thrown value as a MemCloudError: one that already is stays itself (its code is the truth);
 * anything else gets `code` and its message (`context: message` when given). Never includes stacks.
 */
export function toMemCloudError(err: unknown, code: ErrorCode = ErrorCodes.INTERNAL, context?: string): MemCloudError {
  if (err instanceof MemCloudError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new MemCloudError(code, context === undefined ? message : `${context}: ${message}`, { cause: err });
}

/** Serialise any thrown value for another thread or the control socket. Never includes stacks. */
export function toErrorPayload(err: unknown): ErrorPayload {
  const e = toMemCloudError(err);
  return { code: e.code, message: e.message };
}

export function fromErrorPayload(payload: unknown): MemCloudError {
  if (typeof payload === 'object' && payload !== null) {
    const { code, message } = payload as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && knownCodes.has(code) && typeof message === 'string') {
      return new MemCloudError(code as ErrorCode, message);
    }
  }
  return new MemCloudError(ErrorCodes.INTERNAL, 'malformed error payload');
}
