import type { Command } from 'commander';
import type { Nucleon } from '@nucleon/server';

interface ServeFlags {
  port?: string;
  host?: string;
  dataDir?: string;
  region?: string;
  accountId?: string;
  logLevel?: string;
}

function banner(nucleon: Nucleon, url: string): string {
  const { rootKey, config } = nucleon;
  const lines = [
    '',
    `Nucleon is running at ${url}  (database: ${nucleon.database.kind === 'pglite' ? `embedded, ${config.dataDir}` : 'PostgreSQL'}; account ${nucleon.accountId}, region ${config.region})`,
    '',
  ];
  if (rootKey.generatedSecret) {
    lines.push(
      'A root access key was generated. It is shown only this once and saved to',
      `  ${rootKey.credentialsFile} (profile "nucleon", mode 0600):`,
      '',
      `  aws_access_key_id     = ${rootKey.accessKeyId}`,
      `  aws_secret_access_key = ${rootKey.generatedSecret}`,
      '',
    );
  } else {
    lines.push(
      `Root access key: ${rootKey.accessKeyId}${rootKey.credentialsFile ? ` (credentials in ${rootKey.credentialsFile}, profile "nucleon")` : ''}`,
      '',
    );
  }
  const creds = rootKey.credentialsFile
    ? `AWS_SHARED_CREDENTIALS_FILE=${rootKey.credentialsFile} AWS_PROFILE=nucleon`
    : 'AWS_ACCESS_KEY_ID=… AWS_SECRET_ACCESS_KEY=…';
  lines.push(
    'Point your tools at it:',
    `  export ${creds} AWS_REGION=${config.region} AWS_DEFAULT_REGION=${config.region} AWS_ENDPOINT_URL_PROTON=${url}`,
    '  aws proton list-environment-templates                 # AWS CLI (or: aws proton --endpoint-url ' +
      url +
      ' …)',
    `  new ProtonClient({ endpoint: '${url}', region: '${config.region}' })   # AWS SDK for JavaScript`,
    `  boto3.client('proton', endpoint_url='${url}', region_name='${config.region}')   # boto3`,
    '',
  );
  return lines.join('\n');
}

/** Secrets the server reads once at start; children (git, terraform, commands) must not inherit them. */
const SECRET_ENV = ['NUCLEON_ROOT_SECRET_ACCESS_KEY', 'NUCLEON_MASTER_KEY', 'DATABASE_URL'];

async function run(flags: ServeFlags, mode: { http: boolean; worker: boolean }): Promise<number> {
  // Everything the server writes (data dir, embedded database, keys, credentials) is private.
  process.umask(0o077);
  // Loaded on demand: client commands should not pay for the server's start-up.
  const { ConfigError, DataDirLockedError, createNucleon, loadConfig } =
    await import('@nucleon/server');
  let config;
  try {
    config = loadConfig(process.env, {
      port: flags.port,
      host: flags.host,
      dataDir: flags.dataDir,
      region: flags.region,
      accountId: flags.accountId,
      logLevel: flags.logLevel,
    });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`nucleon: ${error.message}\n`);
      return 2;
    }
    throw error;
  } finally {
    // The configuration holds them now. (/proc/<pid>/environ keeps the process's initial
    // environment; the command sandbox is what keeps templates from reading it.)
    for (const name of SECRET_ENV) delete process.env[name];
  }
  let nucleon: Nucleon;
  try {
    nucleon = await createNucleon(config, { ...mode, processGuards: true });
  } catch (error) {
    if (error instanceof DataDirLockedError) {
      process.stderr.write(`nucleon: ${error.message}\n`);
      return 3;
    }
    throw error;
  }
  const { url } = await nucleon.start();
  if (mode.http) process.stdout.write(banner(nucleon, url) + '\n');
  else process.stdout.write('Nucleon worker running; press Ctrl-C to stop.\n');
  // SIGTERM/SIGINT: stop claiming jobs, give requests and running jobs NUCLEON_SHUTDOWN_GRACE_MS,
  // then abort the jobs still running and hand them back to the queue. A second signal exits at once.
  const stopped = await new Promise<boolean>((resolve) => {
    const stop = () => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      process.stdout.write(
        `Stopping Nucleon: finishing in-flight requests and jobs for up to ${config.shutdownGraceMs} ms, then handing running jobs back to the queue (signal again to exit at once)…\n`,
      );
      nucleon.stop().then(
        () => resolve(true),
        (error: unknown) => {
          process.stderr.write(
            `nucleon: could not stop cleanly: ${error instanceof Error ? error.message : String(error)}\n`,
          );
          resolve(false);
        },
      );
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
  return stopped ? 0 : 1;
}

function serveOptions(cmd: Command): Command {
  return cmd
    .option('-p, --port <port>', 'HTTP port (NUCLEON_PORT; default 8080; 0 picks a free one)')
    .option('--host <host>', 'address to listen on (NUCLEON_HOST; default 127.0.0.1)')
    .option(
      '-d, --data-dir <dir>',
      'data directory for the embedded database, keys and credentials (NUCLEON_DATA_DIR; default ./.nucleon)',
    )
    .option(
      '--region <region>',
      'region in ARNs and SigV4 scope (NUCLEON_REGION; default us-east-1)',
    )
    .option(
      '--account-id <id>',
      '12-digit account id in ARNs (NUCLEON_ACCOUNT_ID; default: generated once and stored)',
    )
    .option(
      '--log-level <level>',
      'debug|info|warn|error|silent (NUCLEON_LOG_LEVEL; default info)',
    );
}

export function registerServeCommands(program: Command, setExit: (code: number) => void): void {
  serveOptions(program.command('up'))
    .description(
      'run Nucleon in one process: API server, worker and embedded database (PostgreSQL when DATABASE_URL is set)',
    )
    .action(async (flags: ServeFlags) => setExit(await run(flags, { http: true, worker: true })));
  serveOptions(program.command('server'))
    .description(
      'run only the API server (scale out: several servers and workers on one PostgreSQL via DATABASE_URL)',
    )
    .action(async (flags: ServeFlags) => setExit(await run(flags, { http: true, worker: false })));
  serveOptions(program.command('worker'))
    .description('run only a job worker against the database')
    .action(async (flags: ServeFlags) => setExit(await run(flags, { http: false, worker: true })));
}
