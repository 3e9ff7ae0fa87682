import type { Command } from 'commander';
import type { Nucleon } from '@nucleon/server';

interface ServeFlags {
  port?: string;
  host?: string;
  dataDir?: string;
  region?: string;
  accountId?: string;
  logLevel?: string;
  databaseUrl?: string;
  publicUrl?: string;
  concurrency?: string;
  healthPort?: string;
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
  const {
    ConfigError,
    DataDirLockedError,
    MasterKeyMismatchError,
    RolesNeedPostgresError,
    createNucleon,
    loadConfig,
  } = await import('@nucleon/server');
  let config;
  try {
    config = loadConfig(process.env, {
      port: flags.port,
      host: flags.host,
      dataDir: flags.dataDir,
      region: flags.region,
      accountId: flags.accountId,
      logLevel: flags.logLevel,
      databaseUrl: flags.databaseUrl,
      publicUrl: flags.publicUrl,
      workerConcurrency: flags.concurrency,
      healthPort: flags.healthPort,
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
  // `nucleon server` and `nucleon worker` run beside other processes: PGlite allows one.
  if (!(mode.http && mode.worker) && !config.databaseUrl) {
    const role = mode.http ? 'server' : 'worker';
    process.stderr.write(`nucleon: ${new RolesNeedPostgresError(role).message}\n`);
    return 2;
  }
  let nucleon: Nucleon;
  try {
    nucleon = await createNucleon(config, { ...mode, processGuards: true });
  } catch (error) {
    if (error instanceof DataDirLockedError) {
      process.stderr.write(`nucleon: ${error.message}\n`);
      return 3;
    }
    if (error instanceof RolesNeedPostgresError || error instanceof MasterKeyMismatchError) {
      process.stderr.write(`nucleon: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const { url } = await nucleon.start();
  if (mode.http) process.stdout.write(banner(nucleon, url) + '\n');
  else
    process.stdout.write(
      `Nucleon worker running (${config.workerConcurrency} jobs at a time, PostgreSQL${url ? `; health checks at ${url}/healthz and ${url}/readyz` : ''}); press Ctrl-C to stop.\n`,
    );
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

function serveOptions(cmd: Command, role: 'up' | 'server' | 'worker'): Command {
  if (role !== 'worker')
    cmd
      .option('-p, --port <port>', 'HTTP port (NUCLEON_PORT; default 8080; 0 picks a free one)')
      .option('--host <host>', 'address to listen on (NUCLEON_HOST; default 127.0.0.1)');
  if (role !== 'server')
    cmd.option(
      '--concurrency <n>',
      'jobs this process runs at a time (NUCLEON_WORKER_CONCURRENCY; default 4)',
    );
  if (role === 'worker')
    cmd
      .option(
        '--health-port <port>',
        'serve /healthz and /readyz (nothing else) on this port (NUCLEON_HEALTH_PORT; default: no HTTP at all; 0 picks a free one)',
      )
      .option('--host <host>', 'address of the health port (NUCLEON_HOST; default 127.0.0.1)');
  return cmd
    .option(
      '--database-url <url>',
      role === 'up'
        ? 'PostgreSQL URL (DATABASE_URL; default: the embedded database in the data dir)'
        : 'PostgreSQL URL shared by every server and worker (DATABASE_URL; required)',
    )
    .option(
      '--public-url <url>',
      role === 'worker'
        ? 'the servers’ address (load balancer) that template commands call back (NUCLEON_PUBLIC_URL)'
        : 'the address clients and template commands use (NUCLEON_PUBLIC_URL; default: the bound address)',
    )
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

const ROLES_HELP = `
Several processes (ADR 0025): every \`nucleon server\` and \`nucleon worker\` uses the same
PostgreSQL (DATABASE_URL) and the same master key (NUCLEON_MASTER_KEY, or one shared data dir).
Console sessions, sign-in limits and key revocations are shared through the database; workers
wake on PostgreSQL notifications when jobs are enqueued; scheduled work runs once across replicas.
Example:
  DATABASE_URL=postgres://nucleon@db/nucleon NUCLEON_MASTER_KEY=… nucleon server --port 8080
  DATABASE_URL=postgres://nucleon@db/nucleon NUCLEON_MASTER_KEY=… nucleon worker --public-url https://nucleon.example.com
`;

export function registerServeCommands(program: Command, setExit: (code: number) => void): void {
  serveOptions(program.command('up'), 'up')
    .description(
      'run Nucleon in one process: API server, console, worker and embedded database (PostgreSQL when DATABASE_URL is set)',
    )
    .action(async (flags: ServeFlags) => setExit(await run(flags, { http: true, worker: true })));
  serveOptions(program.command('server'), 'server')
    .description(
      'run the API server and console only (claims no job); run as many as wanted, with `nucleon worker`s, on one PostgreSQL',
    )
    .addHelpText('after', ROLES_HELP)
    .action(async (flags: ServeFlags) => setExit(await run(flags, { http: true, worker: false })));
  serveOptions(program.command('worker'), 'worker')
    .description(
      'run a job worker only (claims jobs, runs template commands and engines; serves no HTTP); run as many as wanted on one PostgreSQL',
    )
    .addHelpText('after', ROLES_HELP)
    .action(async (flags: ServeFlags) => setExit(await run(flags, { http: false, worker: true })));
}
