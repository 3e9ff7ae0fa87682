import { Option, type Command } from 'commander';
import {
  extensionTargetPrefix,
  type NucleonAuditEvent,
  type NucleonGrant,
  type NucleonUser,
} from '@nucleon/protocol';
import { resolveConnection, type ConnectionFlags } from '../connection.js';
import { printTable } from '../output.js';
import { ROLE_NAMES, withConnection } from './keys.js';

interface Flags extends ConnectionFlags {
  output?: string;
  role?: string;
  passwordStdin?: boolean;
  user?: string;
  template?: string;
  environment?: string;
  principal?: string;
  resource?: string;
  operation?: string;
  since?: string;
  until?: string;
  limit?: string;
}

const X = (op: string) => `${extensionTargetPrefix}.${op}`;
const iso = (epochSeconds: unknown) => new Date(Number(epochSeconds) * 1000).toISOString();

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

function print(flags: Flags, rows: Array<Record<string, unknown>>, columns: string[]): void {
  if (flags.output === 'json') process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
  else printTable(rows, columns);
}

/** One grant from --template or --environment (exactly one). */
function grantOf(flags: Flags): { kind: 'template' | 'environment'; pattern: string } {
  if (!!flags.template === !!flags.environment)
    throw new Error('give exactly one of --template <pattern> or --environment <pattern>.');
  return flags.template
    ? { kind: 'template', pattern: flags.template }
    : { kind: 'environment', pattern: flags.environment! };
}

function time(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms))
    throw new Error(
      `${flag} must be a date and time such as 2026-12-01T10:00:00Z, not "${value}".`,
    );
  return ms / 1000;
}

/** `nucleon users`, `nucleon grants` and `nucleon audit` (extension operations; admins only). */
export function registerAccessCommands(program: Command, setExit: (code: number) => void): void {
  const users = program
    .command('users')
    .description(
      'manage users: a name, a role, an optional console password, and access keys (needs an admin key)',
    );
  withConnection(users.command('create <name>'))
    .description('create a user with a role; give it keys with `nucleon keys create --user <name>`')
    .addOption(
      new Option('--role <role>', 'what the user may do').choices(ROLE_NAMES).makeOptionMandatory(),
    )
    .option('--password-stdin', 'read a console password (12+ characters) from standard input')
    .action(async (name: string, flags: Flags) => {
      const { client } = resolveConnection(flags);
      const password = flags.passwordStdin ? await readStdin() : undefined;
      const out = (await client.send(X('CreateUser'), {
        userName: name,
        role: flags.role,
        ...(password !== undefined ? { password } : {}),
      })) as { user: NucleonUser };
      if (flags.output === 'json')
        process.stdout.write(
          JSON.stringify({ ...out.user, createdAt: iso(out.user.createdAt) }, null, 2) + '\n',
        );
      else process.stdout.write(`created user ${out.user.userName} (${out.user.role})\n`);
      setExit(0);
    });
  withConnection(users.command('list'))
    .description('list users with their roles and access keys')
    .action(async (flags: Flags) => {
      const { client } = resolveConnection(flags);
      const out = (await client.send(X('ListUsers'), {})) as { users: NucleonUser[] };
      const rows = out.users.map((u) => ({ ...u, createdAt: iso(u.createdAt) }));
      if (flags.output === 'json') print(flags, rows, []);
      else
        printTable(
          rows.map((u) => ({ ...u, accessKeyIds: u.accessKeyIds.join(',') })),
          ['userName', 'role', 'hasPassword', 'accessKeyIds', 'createdAt'],
        );
      setExit(0);
    });
  withConnection(users.command('delete <name>'))
    .description('delete a user with its grants and access keys')
    .action(async (name: string, flags: Flags) => {
      const { client } = resolveConnection(flags);
      await client.send(X('DeleteUser'), { userName: name });
      process.stdout.write(`deleted user ${name}\n`);
      setExit(0);
    });

  const grants = program
    .command('grants')
    .description(
      "narrow a user's role to named templates and environments (globs: * and ?); developers reach only what is granted (needs an admin key)",
    );
  const grantCommand = (name: string, description: string) =>
    withConnection(grants.command(name))
      .description(description)
      .requiredOption('--user <name>', 'the user')
      .option('--template <pattern>', 'a template name or glob (web-*)')
      .option('--environment <pattern>', 'an environment name or glob (dev-*)');
  grantCommand('add', 'add a grant').action(async (flags: Flags) => {
    const { client } = resolveConnection(flags);
    const grant = grantOf(flags);
    await client.send(X('AddGrant'), { userName: flags.user, ...grant });
    process.stdout.write(`granted ${flags.user} the ${grant.kind} ${grant.pattern}\n`);
    setExit(0);
  });
  grantCommand('remove', 'remove a grant').action(async (flags: Flags) => {
    const { client } = resolveConnection(flags);
    const grant = grantOf(flags);
    await client.send(X('RemoveGrant'), { userName: flags.user, ...grant });
    process.stdout.write(`removed ${flags.user}'s ${grant.kind} grant ${grant.pattern}\n`);
    setExit(0);
  });
  withConnection(grants.command('list'))
    .description('list grants (of one user with --user)')
    .option('--user <name>', "only this user's grants")
    .action(async (flags: Flags) => {
      const { client } = resolveConnection(flags);
      const out = (await client.send(
        X('ListGrants'),
        flags.user ? { userName: flags.user } : {},
      )) as { grants: NucleonGrant[] };
      print(flags, out.grants as unknown as Array<Record<string, unknown>>, [
        'userName',
        'kind',
        'pattern',
      ]);
      setExit(0);
    });

  withConnection(program.command('audit'))
    .description(
      'show the audit log, newest first: every mutating call and every denial (needs an admin key)',
    )
    .option('--principal <nameOrKey>', 'only calls by this user name or access key id')
    .option('--resource <arn>', 'only calls on this resource ARN')
    .option('--operation <name>', 'only this operation (CreateService)')
    .option('--since <time>', 'only events at or after this time (ISO 8601)')
    .option('--until <time>', 'only events before this time (ISO 8601)')
    .option('--limit <n>', 'at most this many events', '100')
    .action(async (flags: Flags) => {
      const { client } = resolveConnection(flags);
      const limit = Number(flags.limit);
      if (!Number.isInteger(limit) || limit < 1)
        throw new Error(`--limit must be a positive whole number, not "${flags.limit}".`);
      const filter = {
        principal: flags.principal,
        resourceArn: flags.resource,
        operation: flags.operation,
        startTime: time(flags.since, '--since'),
        endTime: time(flags.until, '--until'),
      };
      const events: NucleonAuditEvent[] = [];
      let nextToken: string | undefined;
      do {
        const page = (await client.send(X('ListAuditEvents'), {
          ...filter,
          maxResults: Math.min(limit - events.length, 1000),
          nextToken,
        })) as { events: NucleonAuditEvent[]; nextToken?: string };
        events.push(...page.events);
        nextToken = page.nextToken;
      } while (nextToken && events.length < limit);
      const rows = events.map((e) => ({ ...e, time: iso(e.time) }));
      print(flags, rows, ['time', 'principal', 'operation', 'outcome', 'resourceArn', 'errorType']);
      setExit(0);
    });
}
