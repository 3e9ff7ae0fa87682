import type { Logger } from '@nucleon/core';
import { pino, type Logger as Pino } from 'pino';

/** The Logger port over pino: JSON lines on stderr (stdout is kept for the CLI's own output). */
export function createPinoLogger(level: string, base: Record<string, unknown> = {}): Logger {
  const root = pino({ level, base: { ...base }, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination(2));
  return wrap(root);
}

function wrap(p: Pino): Logger {
  return {
    debug: (msg, meta) => p.debug(meta ?? {}, msg),
    info: (msg, meta) => p.info(meta ?? {}, msg),
    warn: (msg, meta) => p.warn(meta ?? {}, msg),
    error: (msg, meta) => p.error(meta ?? {}, msg),
    child: (meta) => wrap(p.child(meta)),
  };
}
