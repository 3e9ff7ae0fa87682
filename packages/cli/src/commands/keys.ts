import { Option, type Command } from 'commander';
import type { NucleonAccessKey } from '@nucleon/protocol';
import { extensionTargetPrefix } from '@nucleon/protocol';
import { resolveConnection, type ConnectionFlags } from '../connection.js';
import { printTable } from '../output.js';
import { registerRotateMaster } from './care.js';

interface KeyFlags extends ConnectionFlags {
  output?: string;
  description?: string;
  user?: string;
  role?: string;
  account?: string;
}

export const ROLE_NAMES = ['admin', 'platform', 'developer', 'read-only'];

/** The connection and output options every API command shares. */
export function withConnection(cmd: Command): Command {
  return cmd
    .option(
      '--endpoint-url <url>',
      'Nucleon endpoint (AWS_ENDPOINT_URL_PROTON, AWS_ENDPOINT_URL; default http://127.0.0.1:8080)',
    )
    .option('--profile <name>', 'credentials profile (AWS_PROFILE)')
    .option('--region <region>', 'signing region (AWS_REGION; default us-east-1)')
    .option('-o, --output <format>', 'table or json', 'table');
}

export function registerKeyCommands(program: Command, setExit: (code: number) => void): void {
  const keys = program
    .command('keys')
    .description('manage access keys for the API (needs an admin key)');
  registerRotateMaster(keys, setExit);
  const connection = (cmd: Command) =>
    cmd
      .option(
        '--endpoint-url <url>',
        'Nucleon endpoint (AWS_ENDPOINT_URL_PROTON, AWS_ENDPOINT_URL; default http://127.0.0.1:8080)',
      )
      .option('--profile <name>', 'credentials profile (AWS_PROFILE)')
      .option('--region <region>', 'signing region (AWS_REGION; default us-east-1)')
      .option('-o, --output <format>', 'table or json', 'table');

  connection(keys.command('create'))
    .description(
      "create an access key; its secret is shown only once. Its role: --role, else its user's role, else admin",
    )
    .option('--description <text>', 'what the key is for')
    .option('--user <name>', "the user the key belongs to (the user's role and grants apply)")
    .option(
      '--account <id>',
      "the 12-digit account the key acts in (default: the installation's own); a key of another account reaches only environment account connections",
    )
    .addOption(
      new Option(
        '--role <role>',
        "the key's role (default: its user's role; admin for a key with no user)",
      ).choices(ROLE_NAMES),
    )
    .action(async (flags: KeyFlags) => {
      const { client } = resolveConnection(flags);
      const out = (await client.send(`${extensionTargetPrefix}.CreateAccessKey`, {
        description: flags.description,
        userName: flags.user,
        role: flags.role,
        accountId: flags.account,
      })) as {
        accessKey: NucleonAccessKey;
      };
      if (flags.output === 'json')
        process.stdout.write(JSON.stringify(out.accessKey, null, 2) + '\n');
      else
        process.stdout.write(
          `aws_access_key_id     = ${out.accessKey.accessKeyId}\naws_secret_access_key = ${out.accessKey.secretAccessKey}\n${out.accessKey.accountId ? `(account ${out.accessKey.accountId}) ` : ''}(the secret is shown only now; store it safely)\n`,
        );
      setExit(0);
    });
  connection(keys.command('list'))
    .description('list access keys (secrets are never shown)')
    .action(async (flags: KeyFlags) => {
      const { client } = resolveConnection(flags);
      const out = (await client.send(`${extensionTargetPrefix}.ListAccessKeys`, {})) as {
        accessKeys: Array<NucleonAccessKey & { createdAt: number }>;
      };
      const rows = out.accessKeys.map((k) => ({
        ...k,
        createdAt: new Date(k.createdAt * 1000).toISOString(),
      }));
      if (flags.output === 'json') process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
      else
        printTable(rows, [
          'accessKeyId',
          'root',
          'userName',
          'role',
          'accountId',
          'description',
          'createdAt',
        ]);
      setExit(0);
    });
  connection(keys.command('delete <accessKeyId>'))
    .description(
      'delete an access key; requests signed with it are refused from then on (root keys cannot be deleted)',
    )
    .action(async (accessKeyId: string, flags: KeyFlags) => {
      const { client } = resolveConnection(flags);
      await client.send(`${extensionTargetPrefix}.DeleteAccessKey`, { accessKeyId });
      process.stdout.write(`deleted ${accessKeyId}\n`);
      setExit(0);
    });
}
