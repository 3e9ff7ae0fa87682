import type { Logger } from '@nucleon/core';
import { pino, type DestinationStream, type Logger as Pino } from 'pino';

export type LogFormat = 'json' | 'pretty';

/**
 * The Logger port over pino, on stderr (stdout is kept for the CLI's own output): JSON lines
 * for log collectors, or `pretty` one-line text for people reading a terminal.
 */
export function createPinoLogger(
  level: string,
  base: Record<string, unknown> = {},
  format: LogFormat = 'json',
): Logger {
  const destination =
    format === 'pretty'
      ? prettyDestination((text) => process.stderr.write(text))
      : pino.destination(2);
  const root = pino(
    { level, base: { ...base }, timestamp: pino.stdTimeFunctions.isoTime },
    destination,
  );
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

const LEVELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};
const HIDDEN = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'service']);

/** `12:00:01.234 WARN  deployment failed deploymentId=… error="…"`, one line per record. */
export function prettyDestination(write: (text: string) => void): DestinationStream {
  return {
    write(line: string) {
      let record: Record<string, unknown>;
      try {
        record = JSON.parse(line) as Record<string, unknown>;
      } catch {
        write(line);
        return;
      }
      const time = typeof record.time === 'string' ? record.time.slice(11, 23) : '';
      const level = (LEVELS[Number(record.level)] ?? String(record.level)).padEnd(5);
      const fields = Object.entries(record)
        .filter(([k, v]) => !HIDDEN.has(k) && v !== undefined)
        .map(
          ([k, v]) => `${k}=${typeof v === 'string' && !/[\s"=]/.test(v) ? v : JSON.stringify(v)}`,
        );
      write(
        `${time} ${level} ${typeof record.msg === 'string' ? record.msg : JSON.stringify(record.msg ?? '')}${fields.length ? ` ${fields.join(' ')}` : ''}\n`,
      );
    },
  };
}
