import type { Command } from 'commander';
import { extensionTargetPrefix } from '@nucleon/protocol';
import { resolveConnection, type ConnectionFlags } from '../connection.js';

interface LinkFlags extends ConnectionFlags {
  token?: string;
  connectionArn?: string;
}

export function registerRepoCommands(program: Command, setExit: (code: number) => void): void {
  const repos = program
    .command('repos')
    .description('linked repositories for self-managed (Terraform) provisioning');
  repos
    .command('link <provider> <name> <remoteUrl>')
    .description(
      "link a repository (CreateRepository) and say where its git remote is: an absolute local path, an SSH URL (git@host:owner/repo.git, using the server's SSH keys) or an HTTPS URL (with --token, or NUCLEON_GIT_TOKEN)",
    )
    .option('--token <token>', 'HTTPS access token (stored encrypted)')
    .option(
      '--connection-arn <arn>',
      'Proton-style connection ARN to record (default: a placeholder in this account)',
    )
    .option('--endpoint-url <url>', 'Nucleon endpoint (AWS_ENDPOINT_URL_PROTON, AWS_ENDPOINT_URL)')
    .option('--profile <name>', 'credentials profile (AWS_PROFILE)')
    .option('--region <region>', 'signing region (AWS_REGION)')
    .action(async (provider: string, name: string, remoteUrl: string, flags: LinkFlags) => {
      const { client } = resolveConnection(flags);
      const connectionArn =
        flags.connectionArn ??
        `arn:aws:codestar-connections:us-east-1:000000000000:connection/nucleon-${provider.toLowerCase()}`;
      await client.call('CreateRepository', {
        provider: provider.toUpperCase() as 'GITHUB',
        name,
        connectionArn,
      });
      const token = flags.token ?? process.env.NUCLEON_GIT_TOKEN;
      await client.send(`${extensionTargetPrefix}.SetRepositoryRemote`, {
        provider: provider.toUpperCase(),
        name,
        remoteUrl,
        ...(token ? { token } : {}),
      });
      process.stdout.write(`linked ${provider.toUpperCase()}:${name} → ${remoteUrl}\n`);
      setExit(0);
    });
}
