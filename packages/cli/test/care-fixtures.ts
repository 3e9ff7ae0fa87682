import type { ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { ProtonClient, extensionTargetPrefix, targetPrefix } from '@nucleon/protocol';
import { waitFor } from '@nucleon/test-utils';
import { readProfile } from '../src/connection.js';
import { runCli, startUp } from './run-cli.js';

/** A fast codebuild-engine environment template (bash and node only). */
export const DIAG_BUNDLE = fileURLToPath(
  new URL('../../server/test/fixtures/bundles/env-codebuild-diag', import.meta.url),
);
export const REPO = { provider: 'GITHUB', name: 'acme/platform' };

export interface Running {
  child: ChildProcess;
  url: string;
}

/** `nucleon up` with the given data dir and environment; quiet; polling of repositories off. */
export async function up(dataDir: string, env: NodeJS.ProcessEnv = {}): Promise<Running> {
  const started = await startUp(['--port', '0', '--data-dir', dataDir], {
    NUCLEON_SYNC_POLL_SECONDS: '0',
    NUCLEON_LOG_LEVEL: 'error',
    NUCLEON_SHUTDOWN_GRACE_MS: '500',
    ...env,
  });
  return { child: started.child, url: started.url };
}

/** SIGTERM, then wait for the process to exit. */
export async function down(running: Running | undefined): Promise<void> {
  const child = running?.child;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await exited;
}

export function client(
  url: string,
  credentials: { accessKeyId: string; secretAccessKey: string },
): ProtonClient {
  return new ProtonClient({ endpoint: url, region: 'us-east-1', credentials });
}

/** The root key a data dir's credentials file holds. */
export function rootOf(dataDir: string): { accessKeyId: string; secretAccessKey: string } {
  const p = readProfile(`${dataDir}/credentials`, 'nucleon')!;
  return { accessKeyId: p.aws_access_key_id!, secretAccessKey: p.aws_secret_access_key! };
}

/** The environment the CLI uses to reach a server with a data dir's root key. */
export const cliEnv = (url: string, dataDir: string): NodeJS.ProcessEnv => ({
  AWS_ENDPOINT_URL_PROTON: url,
  NUCLEON_DATA_DIR: dataDir,
  AWS_ACCESS_KEY_ID: '',
  AWS_SECRET_ACCESS_KEY: '',
  AWS_PROFILE: '',
});

/** What the installation holds before the backup, to compare after the restore. */
export interface Estate {
  userKey: { accessKeyId: string; secretAccessKey: string };
  webhookPath: string;
  webhookSecret: string;
  environmentArn: string;
}

export const proton = (name: string) => `${targetPrefix}.${name}`;
export const nucleon = (name: string) => `${extensionTargetPrefix}.${name}`;

export async function environmentOf(api: ProtonClient, name: string) {
  return (
    (await api.send(proton('GetEnvironment'), { name })) as {
      environment: {
        arn: string;
        deploymentStatus: string;
        templateName: string;
        templateMajorVersion: string;
      };
    }
  ).environment;
}

export async function deployed(api: ProtonClient, name: string): Promise<string> {
  return waitFor(
    async () => {
      const env = await environmentOf(api, name);
      return env.deploymentStatus === 'IN_PROGRESS' ? undefined : env.deploymentStatus;
    },
    { timeoutMs: 60_000, what: `the deployment of ${name} to end` },
  );
}

/**
 * Fills an installation: a published template, a deployed environment, a user's access key,
 * a repository with an https remote token and a webhook secret (every kind of sealed secret).
 */
export async function buildEstate(url: string, dataDir: string): Promise<Estate> {
  const env = cliEnv(url, dataDir);
  const registered = await runCli(
    ['templates', 'register', 'diag', DIAG_BUNDLE, '--kind', 'env', '--publish'],
    env,
  );
  if (registered.code !== 0) throw new Error(`register failed: ${registered.stderr}`);
  const api = client(url, rootOf(dataDir));
  await api.send(proton('CreateEnvironment'), {
    name: 'prod',
    templateName: 'diag',
    templateMajorVersion: '1',
    spec: 'proton: EnvironmentSpec\nspec: {}\n',
  });
  if ((await deployed(api, 'prod')) !== 'SUCCEEDED') throw new Error('prod did not deploy');
  const key = await runCli(['keys', 'create', '--description', 'ci', '-o', 'json'], env);
  if (key.code !== 0) throw new Error(`keys create failed: ${key.stderr}`);
  const userKey = JSON.parse(key.stdout) as { accessKeyId: string; secretAccessKey: string };
  await api.send(proton('CreateRepository'), {
    ...REPO,
    connectionArn: 'arn:aws:codestar-connections:us-east-1:123456789012:connection/abc',
  });
  await api.send(nucleon('SetRepositoryRemote'), {
    ...REPO,
    remoteUrl: 'https://git.invalid/acme/platform.git',
    token: 'ghp_repository_token_kept_sealed',
  });
  const hook = (await api.send(nucleon('SetRepositoryWebhook'), REPO)) as {
    webhook: { url: string; secret: string };
  };
  return {
    userKey: { accessKeyId: userKey.accessKeyId, secretAccessKey: userKey.secretAccessKey },
    webhookPath: new URL(hook.webhook.url).pathname,
    webhookSecret: hook.webhook.secret,
    environmentArn: (await environmentOf(api, 'prod')).arn,
  };
}

/** Delivers a signed push to the webhook; 202 when the server's secret is the one signed with. */
export async function deliver(url: string, path: string, secret: string): Promise<number> {
  const body = JSON.stringify({ ref: 'refs/heads/main' });
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'push',
      'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
    },
    body,
  });
  await response.body?.cancel();
  return response.status;
}

/** Everything of the estate answers through the API of the server at `url`. */
export async function checkEstate(
  url: string,
  dataDir: string,
  estate: Estate,
): Promise<{ envStatus: string; sameArn: boolean; userKeyWorks: boolean; webhook: number }> {
  const root = client(url, rootOf(dataDir));
  const env = await environmentOf(root, 'prod');
  const asUser = client(url, estate.userKey);
  const listed = (await asUser.send(proton('ListEnvironments'), {})) as {
    environments: Array<{ name: string }>;
  };
  return {
    envStatus: env.deploymentStatus,
    sameArn: env.arn === estate.environmentArn,
    userKeyWorks: listed.environments.some((e) => e.name === 'prod'),
    webhook: await deliver(url, estate.webhookPath, estate.webhookSecret),
  };
}
