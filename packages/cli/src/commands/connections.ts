import { Option, type Command } from 'commander';
import { resolveConnection, type ConnectionFlags } from '../connection.js';
import { printTable } from '../output.js';
import { withConnection } from './catalog-common.js';

interface Flags extends ConnectionFlags {
  output?: string;
  as?: 'management' | 'environment';
  status?: string[];
  env?: string;
  managementAccount?: string;
  roleArn?: string;
  codebuildRoleArn?: string;
  componentRoleArn?: string;
}

const COLUMNS = [
  'id',
  'status',
  'environmentName',
  'environmentAccountId',
  'managementAccountId',
  'roleArn',
];
const collect = (v: string, all: string[] = []) => [...all, v];
const time = (v: unknown) =>
  v instanceof Date
    ? v.toISOString()
    : typeof v === 'number'
      ? new Date(v * 1000).toISOString()
      : v;

function print(flags: Flags, connections: Array<Record<string, unknown>>): void {
  const rows = connections.map((c) => ({
    ...c,
    requestedAt: time(c.requestedAt),
    lastModifiedAt: time(c.lastModifiedAt),
  }));
  if (flags.output === 'json') process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
  else printTable(rows, COLUMNS);
}

const roles = (flags: Flags) => ({
  ...(flags.roleArn ? { roleArn: flags.roleArn } : {}),
  ...(flags.codebuildRoleArn ? { codebuildRoleArn: flags.codebuildRoleArn } : {}),
  ...(flags.componentRoleArn ? { componentRoleArn: flags.componentRoleArn } : {}),
});

const roleOptions = (cmd: Command) =>
  cmd
    .option('--role-arn <arn>', 'role CloudFormation deployments assume in the environment account')
    .option('--codebuild-role-arn <arn>', 'role CodeBuild provisioning commands run with')
    .option('--component-role-arn <arn>', 'role directly defined components deploy with');

/** `nucleon connections`: Proton's environment account connections (ADR 0018). */
export function registerConnectionCommands(program: Command, setExit: (code: number) => void) {
  const connections = program
    .command('connections')
    .description(
      "environment account connections: a workload account's key requests one, the management account accepts it, environments are then created with `nucleon envs create --connection <id>`",
    );
  withConnection(connections.command('list'))
    .description('list the connections your account is a party to')
    .addOption(
      new Option('--as <side>', 'the side your account is on')
        .choices(['management', 'environment'])
        .default('management'),
    )
    .option('--status <status>', 'PENDING, CONNECTED or REJECTED (repeatable)', collect)
    .option('--env <name>', 'only connections for this environment name')
    .action(async (flags: Flags) => {
      const { client } = resolveConnection(flags);
      const all: Array<Record<string, unknown>> = [];
      let nextToken: string | undefined;
      do {
        const out = await client.call('ListEnvironmentAccountConnections', {
          requestedBy: flags.as === 'environment' ? 'ENVIRONMENT_ACCOUNT' : 'MANAGEMENT_ACCOUNT',
          ...(flags.status?.length
            ? { statuses: flags.status as Array<'PENDING' | 'CONNECTED' | 'REJECTED'> }
            : {}),
          ...(flags.env ? { environmentName: flags.env } : {}),
          ...(nextToken ? { nextToken } : {}),
        });
        all.push(
          ...(out.environmentAccountConnections as unknown as Array<Record<string, unknown>>),
        );
        nextToken = out.nextToken;
      } while (nextToken);
      print(flags, all);
      setExit(0);
    });
  withConnection(roleOptions(connections.command('request')))
    .description('request a connection from your (environment) account to a management account')
    .requiredOption('--management-account <id>', 'the 12-digit management account id')
    .requiredOption('--env <name>', 'the environment the management account will create')
    .action(async (flags: Flags) => {
      const { client } = resolveConnection(flags);
      const out = await client.call('CreateEnvironmentAccountConnection', {
        managementAccountId: flags.managementAccount!,
        environmentName: flags.env!,
        ...roles(flags),
      });
      print(flags, [out.environmentAccountConnection as unknown as Record<string, unknown>]);
      setExit(0);
    });
  for (const [verb, op, text] of [
    ['show', 'GetEnvironmentAccountConnection', 'show a connection'],
    ['accept', 'AcceptEnvironmentAccountConnection', 'accept a request (management account)'],
    [
      'reject',
      'RejectEnvironmentAccountConnection',
      'reject a request for good (management account; not while an environment uses it)',
    ],
    [
      'delete',
      'DeleteEnvironmentAccountConnection',
      'delete a connection (environment account); environments using it cannot deploy until moved to a new one',
    ],
  ] as const) {
    withConnection(connections.command(`${verb} <id>`))
      .description(text)
      .action(async (id: string, flags: Flags) => {
        const { client } = resolveConnection(flags);
        const out = (await client.call(op, { id })) as {
          environmentAccountConnection?: Record<string, unknown>;
        };
        print(flags, out.environmentAccountConnection ? [out.environmentAccountConnection] : []);
        setExit(0);
      });
  }
  withConnection(roleOptions(connections.command('update <id>')))
    .description("change a connection's roles (environment account)")
    .action(async (id: string, flags: Flags) => {
      const { client } = resolveConnection(flags);
      const out = await client.call('UpdateEnvironmentAccountConnection', { id, ...roles(flags) });
      print(flags, [out.environmentAccountConnection as unknown as Record<string, unknown>]);
      setExit(0);
    });
}
