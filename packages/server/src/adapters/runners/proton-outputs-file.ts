import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { ValidationError } from '@nucleon/core';

/** The file CodeBuild-provisioned templates may leave behind with their outputs (spec §5.4). */
export const PROTON_OUTPUTS_FILE = 'proton-outputs.json';

/** Larger files are refused: outputs end up in the database and in API responses. */
const DEFAULT_MAX_BYTES = 1024 * 1024;

/**
 * Reads `proton-outputs.json` from a finished run's workdir. Returns `undefined` when the file
 * is absent (the template may report outputs through NotifyResourceDeploymentStatusChange
 * instead). Accepts Proton's list form `[{"key": "k", "valueString": "v"}]` (what
 * `aws proton notify-resource-deployment-status-change --outputs file://…` takes) and the plain
 * map form `{"k": "v"}`; non-string values are JSON-encoded, as Proton stores complex outputs.
 * Throws {@link ValidationError} naming the problem, never echoing the file's content.
 */
export async function readProtonOutputsFile(
  workdir: string,
  options: { maxBytes?: number } = {},
): Promise<Record<string, string> | undefined> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const text = await readCapped(join(workdir, PROTON_OUTPUTS_FILE), maxBytes);
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ValidationError(`${PROTON_OUTPUTS_FILE} is not valid JSON (${reason})`);
  }
  if (Array.isArray(parsed)) return fromList(parsed);
  if (parsed !== null && typeof parsed === 'object') {
    return fromMap(parsed as Record<string, unknown>);
  }
  throw new ValidationError(
    `${PROTON_OUTPUTS_FILE} must hold a list of {"key", "valueString"} objects or an object of key/value pairs`,
  );
}

async function readCapped(path: string, maxBytes: number): Promise<string | undefined> {
  let handle;
  try {
    // Only a file the run itself left in the workdir counts; a symlink could point anywhere.
    // O_NONBLOCK: a FIFO left there must not hang the server waiting for a writer.
    handle = await open(
      path,
      constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0),
    );
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') {
      throw new ValidationError(`${PROTON_OUTPUTS_FILE} is a symbolic link; write a regular file`);
    }
    throw error;
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new ValidationError(`${PROTON_OUTPUTS_FILE} is not a regular file`);
    if (info.size > maxBytes) {
      throw new ValidationError(
        `${PROTON_OUTPUTS_FILE} is ${info.size} bytes; the limit is ${maxBytes}`,
      );
    }
    const buffer = Buffer.alloc(maxBytes + 1);
    const { bytesRead } = await handle.read(buffer, 0, maxBytes + 1, 0);
    if (bytesRead > maxBytes) {
      throw new ValidationError(
        `${PROTON_OUTPUTS_FILE} is larger than the limit of ${maxBytes} bytes`,
      );
    }
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

function fromList(items: unknown[]): Record<string, string> {
  const outputs: Record<string, string> = {};
  items.forEach((item, index) => {
    const where = `${PROTON_OUTPUTS_FILE}[${index}]`;
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      throw new ValidationError(`${where} must be an object with "key" and "valueString"`);
    }
    const { key, valueString } = item as { key?: unknown; valueString?: unknown };
    if (typeof key !== 'string' || key.length === 0) {
      throw new ValidationError(`${where} needs a non-empty string "key"`);
    }
    if (valueString === undefined) {
      throw new ValidationError(`${where} (key "${key}") has no "valueString"`);
    }
    add(outputs, key, valueString, where);
  });
  return outputs;
}

function fromMap(map: Record<string, unknown>): Record<string, string> {
  const outputs: Record<string, string> = {};
  for (const [key, value] of Object.entries(map)) {
    if (key.length === 0) throw new ValidationError(`${PROTON_OUTPUTS_FILE} has an empty key`);
    add(outputs, key, value, PROTON_OUTPUTS_FILE);
  }
  return outputs;
}

function add(outputs: Record<string, string>, key: string, value: unknown, where: string): void {
  if (Object.prototype.hasOwnProperty.call(outputs, key)) {
    throw new ValidationError(`${where}: output "${key}" appears more than once`);
  }
  Object.defineProperty(outputs, key, {
    value: typeof value === 'string' ? value : JSON.stringify(value),
    enumerable: true,
    writable: true,
    configurable: true,
  });
}
