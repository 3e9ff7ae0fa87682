import { NucleonError, coerceError, type Logger } from '@nucleon/core';
import { errorHttpStatus } from '@nucleon/protocol';
import { AuthenticationError } from '../adapters/auth/sigv4-verifier.js';
import { isDatabaseUnavailable } from '../adapters/db/database-errors.js';

export interface WireError {
  status: number;
  type: string;
  message: string;
}

/** Errors that are not Proton's but that AWS endpoints answer and the SDKs understand. */
export class ProtocolError extends Error {
  constructor(
    readonly type:
      | 'UnknownOperationException'
      | 'NotImplementedException'
      | 'SerializationException'
      | 'RequestEntityTooLargeException'
      | 'InternalServerException',
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = type;
  }
}

const authStatus: Record<AuthenticationError['type'], number> = {
  MissingAuthenticationTokenException: 403,
  UnrecognizedClientException: 400,
  InvalidSignatureException: 400,
  AccessDeniedException: 403,
};

/**
 * The one place errors become awsJson1_0 error responses. Only 5xx are logged; stacks never
 * leave the server, and internal errors carry the request id so they can be found in the log.
 */
export function toWireError(thrown: unknown, requestId: string, logger: Logger): WireError {
  if (thrown instanceof NucleonError) {
    return {
      status: errorHttpStatus[thrown.protonType] ?? 400,
      type: thrown.protonType,
      message: thrown.message,
    };
  }
  if (thrown instanceof AuthenticationError) {
    return { status: authStatus[thrown.type], type: thrown.type, message: thrown.message };
  }
  if (thrown instanceof ProtocolError) {
    return { status: thrown.status, type: thrown.type, message: thrown.message };
  }
  const error = coerceError(thrown);
  if (isDatabaseUnavailable(thrown)) {
    logger.error('database unavailable', { requestId, error: error.message });
    return {
      status: 500,
      type: 'InternalServerException',
      message: `Nucleon cannot reach its database right now (${error.message}), so this request failed. Retry it once the database is back: GET /readyz answers 503 until then. Request id ${requestId}.`,
    };
  }
  logger.error('internal error', { requestId, error: error.message, stack: error.stack });
  return {
    status: 500,
    type: 'InternalServerException',
    message: `Nucleon hit an internal error; the server log has the details under request id ${requestId}. Retry the request, and report it if it keeps failing.`,
  };
}
