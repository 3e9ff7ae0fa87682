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
    .description(
      'linked repositories: self-managed (Terraform) provisioning, template sync and service sync',
    );
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
  repos
    .command('webhook <provider> <name>')
    .description(
      "show the repository's webhook URL; on first use (or with --rotate or --secret) set its secret and print it once. Configure the URL on GitHub (content type application/json, the secret as 'Secret'), Gitea (secret) or GitLab (secret token), push events only",
    )
    .option('--secret <secret>', 'use this secret (16 to 256 characters)')
    .option('--rotate', 'generate a new random secret')
    .option('--endpoint-url <url>', 'Nucleon endpoint (AWS_ENDPOINT_URL_PROTON, AWS_ENDPOINT_URL)')
    .option('--profile <name>', 'credentials profile (AWS_PROFILE)')
    .option('--region <region>', 'signing region (AWS_REGION)')
    .action(
      async (
        provider: string,
        name: string,
        flags: ConnectionFlags & { secret?: string; rotate?: boolean },
      ) => {
        const { client } = resolveConnection(flags);
        const input = { provider: provider.toUpperCase(), name };
        type Out = { webhook: { url: string; secret?: string; secretSet: boolean } };
        let out = (await client.send(
          `${extensionTargetPrefix}.GetRepositoryWebhook`,
          input,
        )) as Out;
        if (flags.secret || flags.rotate || !out.webhook.secretSet)
          out = (await client.send(`${extensionTargetPrefix}.SetRepositoryWebhook`, {
            ...input,
            ...(flags.secret ? { secret: flags.secret } : {}),
          })) as Out;
        const secret =
          out.webhook.secret ?? '(set; shown only when set: use --rotate to replace it)';
        process.stdout.write(`url: ${out.webhook.url}\nsecret: ${secret}\n`);
        setExit(0);
      },
    );
}
