import { coerceError, type Logger } from '@nucleon/core';
import { isDatabaseUnavailable } from '../adapters/db/database-errors.js';

/**
 * Last-resort handlers for the process entry (`nucleon up|server|worker`). A promise rejection
 * nobody handled is a bug, but not a reason to kill every running command and request: it is
 * logged and the process keeps serving. An uncaught exception leaves the process in an unknown
 * state, so it keeps serving only when it is a lost database connection (the pool replaces
 * the connection); anything else is logged and the process exits with status 1, for its
 * supervisor to restart it and crash recovery to resume or fail its deployments.
 */
export function installProcessGuards(
  logger: Logger,
  exit: (code: number) => void = (code) => process.exit(code),
): () => void {
  const onRejection = (reason: unknown) => {
    const error = coerceError(reason);
    logger.error('unhandled promise rejection; Nucleon keeps running', {
      error: error.message,
      stack: error.stack,
    });
  };
  const onException = (thrown: Error) => {
    const error = coerceError(thrown);
    if (isDatabaseUnavailable(error)) {
      logger.error('lost a database connection; Nucleon keeps running and reconnects', {
        error: error.message,
      });
      return;
    }
    logger.error('uncaught exception; Nucleon exits so that it restarts in a known state', {
      error: error.message,
      stack: error.stack,
    });
    exit(1);
  };
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return () => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  };
}
