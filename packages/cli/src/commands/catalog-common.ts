import { createInterface } from 'node:readline/promises';
import { Option, type Command } from 'commander';
import { ValidationError } from '@nucleon/core';
import { ProtonApiError, type ProtonClient } from '@nucleon/protocol';
import { resolveConnection, type ConnectionFlags } from '../connection.js';

/** Flags every catalog command takes: where to connect and how to print. */
export interface CatalogFlags extends ConnectionFlags {
  output?: 'table' | 'json';
}

export type SetExit = (code: number) => void;

/** A problem the user can fix, with the next step to take. Printed without a stack, exit 1. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** Next steps for API errors, keyed by the Proton error type. */
export type Hints = Partial<Record<string, string>>;

/** Adds --endpoint-url, --profile, --region and -o/--output, the same on every catalog command. */
export function withConnection(cmd: Command, output = true): Command {
  cmd
    .option(
      '--endpoint-url <url>',
      'Nucleon endpoint (AWS_ENDPOINT_URL_PROTON, AWS_ENDPOINT_URL; default http://127.0.0.1:8080)',
    )
    .option('--profile <name>', 'credentials profile (AWS_PROFILE; default: .nucleon/credentials)')
    .option('--region <region>', 'signing region (AWS_REGION; default us-east-1)');
  if (output)
    cmd.addOption(
      new Option('-o, --output <format>', 'table for people, json for scripts')
        .choices(['table', 'json'])
        .default('table'),
    );
  return cmd;
}

const GENERIC_HINTS: Hints = {
  AccessDeniedException:
    'check the credentials: --profile, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run where `nucleon up` wrote .nucleon/credentials',
  UnrecognizedClientException:
    'check the credentials: --profile, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run where `nucleon up` wrote .nucleon/credentials',
  InvalidSignatureException: 'check AWS_SECRET_ACCESS_KEY (or the secret in the --profile you use)',
  ConflictException:
    'a deployment may be running: see `nucleon deployments list`, follow it with `nucleon deployments watch <id>`, then try again',
  ThrottlingException: 'wait a moment and try again',
  ServiceQuotaExceededException:
    'delete what you no longer need, or raise the server quota (NUCLEON_MAX_TEMPLATES, NUCLEON_MAX_VERSIONS_PER_TEMPLATE)',
};

/**
 * Wraps a command action: resolves the connection, runs it, and turns API errors and
 * {@link CliError}s into one `nucleon: …` line on stderr plus a `hint:` line with the next step.
 * Anything else (an unreachable endpoint…) goes on to main's handler.
 */
export function action<A extends unknown[]>(
  setExit: SetExit,
  hints: Hints | ((...positional: string[]) => Hints),
  fn: (client: ProtonClient, ...args: A) => Promise<number | void>,
): (...args: unknown[]) => Promise<void> {
  return async (...raw: unknown[]) => {
    const args = raw.slice(0, -1) as A; // commander passes the Command last
    try {
      const flags = args[args.length - 1] as CatalogFlags;
      const { client } = resolveConnection(flags);
      const code = await fn(client, ...args);
      setExit(code ?? 0);
    } catch (error) {
      if (error instanceof CliError) {
        process.stderr.write(
          `nucleon: ${error.message}\n${error.hint ? `hint: ${error.hint}\n` : ''}`,
        );
        setExit(error.exitCode);
        return;
      }
      if (error instanceof ProtonApiError) {
        const table =
          typeof hints === 'function'
            ? hints(...args.filter((a): a is string => typeof a === 'string'))
            : hints;
        const hint = table[error.type] ?? GENERIC_HINTS[error.type];
        process.stderr.write(
          `nucleon: ${error.type}: ${error.message}\n${hint ? `hint: ${hint}\n` : ''}`,
        );
        setExit(1);
        return;
      }
      if (error instanceof ValidationError) {
        process.stderr.write(`nucleon: ${error.message}\n`);
        setExit(1);
        return;
      }
      throw error;
    }
  };
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** Follows nextToken until the last page. */
export async function listAll<T>(
  page: (nextToken: string | undefined) => Promise<{ nextToken?: string | undefined; items: T[] }>,
): Promise<T[]> {
  const all: T[] = [];
  let token: string | undefined;
  do {
    const out = await page(token);
    all.push(...out.items);
    token = out.nextToken;
  } while (token);
  return all;
}

/** Whether an API call failed because the thing does not exist. */
export function isNotFound(error: unknown): boolean {
  return error instanceof ProtonApiError && error.type === 'ResourceNotFoundException';
}

/** Resolves to undefined instead of throwing ResourceNotFoundException. */
export async function orUndefined<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/**
 * Asks before a delete. On a terminal the user types y; elsewhere the command refuses unless
 * --yes was given, so scripts never hang on a prompt nobody sees.
 */
export async function confirmDelete(what: string, yes: boolean | undefined): Promise<void> {
  if (yes) return;
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    throw new CliError(
      `refusing to delete ${what} without confirmation (not a terminal).`,
      'pass --yes to delete without asking.',
    );
  }
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = (await rl.question(`Delete ${what}? This removes what it provisioned. [y/N] `))
      .trim()
      .toLowerCase();
    if (answer !== 'y' && answer !== 'yes') throw new CliError('not deleted.', undefined, 1);
  } finally {
    rl.close();
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `12s`, `3m04s`, `1h02m`. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** `2026-05-01 12:00:03` (UTC) for tables. */
export function formatTime(value: Date | number | undefined): string {
  if (value === undefined) return '';
  const d = typeof value === 'number' ? new Date(value * 1000) : value;
  return d.toISOString().slice(0, 19).replace('T', ' ');
}

/** Parses `1.0` into its parts. */
export function parseVersion(text: string): { major: string; minor: string } {
  const m = /^(\d+)\.(\d+)$/.exec(text);
  if (!m) throw new CliError(`"${text}" is not a version: write it as <major>.<minor>, like 1.0.`);
  return { major: m[1]!, minor: m[2]! };
}

export function parseMajor(text: string | undefined, flag = '--major'): string | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text))
    throw new CliError(`${flag} takes a major version number, like 1 (got "${text}").`);
  return text;
}

/** Collects a repeatable option's values (`--set a=1 --set b=2`). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
