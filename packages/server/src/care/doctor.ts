import { execFile } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { promisify } from 'node:util';
import { coerceError } from '@nucleon/core';
import { sql } from 'kysely';
import { SecretBox } from '../adapters/auth/secret-box.js';
import { DataDirLockedError } from '../adapters/data-dir-lock.js';
import { knownMigrations } from '../adapters/db/database.js';
import { TerraformCliExecutor } from '../adapters/engines/terraform-cli-executor.js';
import { detectCommandSandbox } from '../adapters/runners/command-sandbox.js';
import type { NucleonConfig } from '../main/config.js';
import {
  nextMasterKeyPath,
  openForCare,
  readMasterKey,
  type CareDatabase,
} from './care-database.js';
import { forEachSealed, keyFingerprint } from './sealed-values.js';

const run = promisify(execFile);

export type CheckStatus = 'ok' | 'warn' | 'fail';

/** One finding of `nucleon doctor`: what was checked, what was found, and what to do about it. */
export interface DoctorCheck {
  name: string;
  status: CheckStatus;
  detail: string;
  fix?: string;
}

export interface DoctorOptions {
  /** The PATH the server and its commands get (default: this process's). */
  path?: string;
  /** This Nucleon's version, for the report. */
  version: string;
}

/** Looks a tool up on PATH as the server's child processes will (absolute entries only). */
function which(name: string, path: string): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir || !isAbsolute(dir)) continue;
    const candidate = join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

async function versionOf(file: string, args: string[]): Promise<string> {
  const { stdout } = await run(file, args, { timeout: 10_000 });
  return stdout.trim().split('\n')[0] ?? '';
}

const mode = (path: string) => statSync(path).mode & 0o777;

function checkDataDir(config: NucleonConfig): DoctorCheck[] {
  const dir = config.dataDir;
  if (!existsSync(dir))
    return [
      {
        name: 'data dir',
        status: config.databaseUrl ? 'ok' : 'fail',
        detail: `${dir} does not exist`,
        ...(config.databaseUrl ? {} : { fix: 'start `nucleon up` once to create it' }),
      },
    ];
  const checks: DoctorCheck[] = [];
  const problems: string[] = [];
  const fixes: string[] = [];
  if ((mode(dir) & 0o077) !== 0) {
    problems.push(`${dir} is mode ${mode(dir).toString(8)}, readable by other users`);
    fixes.push(`chmod 700 ${dir}`);
  }
  if (process.getuid && statSync(dir).uid !== process.getuid()) {
    problems.push(`${dir} belongs to uid ${statSync(dir).uid}, not to this user`);
    fixes.push(`run Nucleon as the data dir's owner, or chown -R $(id -u) ${dir}`);
  }
  for (const file of ['master.key', 'credentials']) {
    const path = join(dir, file);
    if (existsSync(path) && (mode(path) & 0o077) !== 0) {
      problems.push(`${path} is mode ${mode(path).toString(8)}`);
      fixes.push(`chmod 600 ${path}`);
    }
  }
  checks.push(
    problems.length === 0
      ? { name: 'data dir', status: 'ok', detail: `${dir} is private to this user` }
      : { name: 'data dir', status: 'fail', detail: problems.join('; '), fix: fixes.join('; ') },
  );
  if (existsSync(nextMasterKeyPath(dir)))
    checks.push({
      name: 'master key',
      status: 'fail',
      detail:
        'a master-key rotation was interrupted (master.key.next is there); Nucleon will not start',
      fix: `nucleon keys rotate-master --data-dir ${dir}`,
    });
  return checks;
}

async function checkDatabase(config: NucleonConfig, care: CareDatabase): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  const version = (await sql<{ v: string }>`show server_version`.execute(care.db)).rows[0]?.v;
  const where = config.databaseUrl
    ? `PostgreSQL ${version} at ${new URL(config.databaseUrl).host}`
    : `embedded PostgreSQL ${version} (PGlite) in ${join(config.dataDir, 'pgdata')}`;
  checks.push({ name: 'database', status: 'ok', detail: `${where} answers` });

  const tables = await sql<{ n: number }>`
    select count(*)::int as n from information_schema.tables
    where table_schema = current_schema() and table_name = 'nucleon_migrations'`.execute(care.db);
  const applied =
    Number(tables.rows[0]?.n ?? 0) === 0
      ? []
      : (
          await sql<{ name: string }>`select name from nucleon_migrations order by name`.execute(
            care.db,
          )
        ).rows.map((r) => r.name);
  const known = knownMigrations();
  const pending = known.filter((m) => !applied.includes(m));
  const newer = applied.filter((m) => !known.includes(m));
  if (newer.length > 0)
    checks.push({
      name: 'migrations',
      status: 'fail',
      detail: `the database was migrated by a newer Nucleon (${newer.join(', ')})`,
      fix: 'run the Nucleon version that migrated it, or newer',
    });
  else if (pending.length > 0)
    checks.push({
      name: 'migrations',
      status: 'warn',
      detail: `${pending.length} to apply (${pending.join(', ')})`,
      fix: 'they are applied when `nucleon up` or `nucleon server` of this version starts',
    });
  else checks.push({ name: 'migrations', status: 'ok', detail: `all ${known.length} applied` });

  if (config.databaseUrl) {
    const row = (await sql<{ now: Date | string }>`select now() as now`.execute(care.db)).rows[0]!;
    const skew = Math.abs(new Date(row.now).getTime() - Date.now()) / 1000;
    checks.push(
      skew <= 5
        ? { name: 'clock', status: 'ok', detail: `within ${skew.toFixed(1)} s of the database's` }
        : {
            name: 'clock',
            status: skew > 60 ? 'fail' : 'warn',
            detail: `${skew.toFixed(1)} s apart from the database's clock (job leases and SigV4's 5-minute window depend on it)`,
            fix: 'run NTP (chrony, systemd-timesyncd) on this host and the database host',
          },
    );
  }

  if (applied.length > 0) {
    try {
      const key = readMasterKey(config);
      const box = new SecretBox(key);
      const failed: string[] = [];
      const n = await forEachSealed(care.db, (v) => {
        try {
          box.open(v.sealed);
        } catch {
          failed.push(`${v.table}.${v.column}`);
        }
      });
      checks.push(
        failed.length === 0
          ? {
              name: 'secrets',
              status: 'ok',
              detail: `${n} sealed secrets open with master key ${keyFingerprint(key)}`,
            }
          : {
              name: 'secrets',
              status: 'fail',
              detail: `${failed.length} of ${n} secrets do not open with master key ${keyFingerprint(key)} (${[...new Set(failed)].join(', ')})`,
              fix: 'set NUCLEON_MASTER_KEY (or the data dir’s master.key) to the key the secrets were sealed with',
            },
      );
    } catch (error) {
      checks.push({
        name: 'secrets',
        status: 'fail',
        detail: coerceError(error).message,
        fix: 'point --data-dir at the installation’s data dir, or set NUCLEON_MASTER_KEY',
      });
    }
  }
  return checks;
}

async function checkTools(config: NucleonConfig, path: string): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  const sandbox = await detectCommandSandbox({
    policy: config.runnerSandbox,
    path,
    uid: config.runnerUid,
    serverUid: process.getuid?.() ?? -1,
  });
  if (sandbox.refusal)
    checks.push({
      name: 'sandbox',
      status: 'fail',
      detail: sandbox.notice,
      fix: 'install bubblewrap (apt-get install bubblewrap) and allow unprivileged user namespaces, or run as root with setpriv',
    });
  else if (sandbox.kind === 'none')
    checks.push({
      name: 'sandbox',
      status: 'warn',
      detail: sandbox.notice,
      fix: 'install bubblewrap (apt-get install bubblewrap); NUCLEON_RUNNER_SANDBOX=required refuses to run commands without it',
    });
  else
    checks.push({
      name: 'sandbox',
      status: 'ok',
      detail: `${sandbox.kind}: ${sandbox.notice}`,
    });
  checks.push({
    name: 'runner',
    status: config.workerConcurrency > 0 ? 'ok' : 'warn',
    detail: `local runner, ${config.workerConcurrency} jobs at once per worker`,
    ...(config.workerConcurrency > 0
      ? {}
      : { fix: 'NUCLEON_WORKER_CONCURRENCY=0 runs no jobs: set it to 1 or more on workers' }),
  });

  const git = which('git', path);
  if (!git)
    checks.push({
      name: 'git',
      status: 'fail',
      detail:
        'git is not on PATH (template and service sync, and pull-request provisioning, need it)',
      fix: 'install git (apt-get install git) or put it on PATH',
    });
  else {
    try {
      checks.push({ name: 'git', status: 'ok', detail: await versionOf(git, ['--version']) });
    } catch (error) {
      checks.push({
        name: 'git',
        status: 'fail',
        detail: `${git} does not run: ${coerceError(error).message}`,
        fix: 'reinstall git',
      });
    }
  }
  const terraform = await TerraformCliExecutor.detect({ path }).catch(() => undefined);
  checks.push(
    terraform
      ? { name: 'terraform', status: 'ok', detail: 'terraform (or tofu) found on PATH' }
      : {
          name: 'terraform',
          status: 'warn',
          detail: 'neither terraform nor tofu is on PATH: Terraform templates cannot deploy',
          fix: 'install Terraform or OpenTofu if you use Terraform templates',
        },
  );
  checks.push(
    which('aws', path)
      ? { name: 'aws cli', status: 'ok', detail: 'aws is on PATH for template commands' }
      : {
          name: 'aws cli',
          status: 'warn',
          detail: 'aws is not on PATH: template commands that call the AWS CLI fail',
          fix: 'install the AWS CLI v2 if your templates call it',
        },
  );
  return checks;
}

/** Checks an installation and says what to fix. Never changes anything but the data dir lock. */
export async function runDoctor(
  config: NucleonConfig,
  options: DoctorOptions,
): Promise<DoctorCheck[]> {
  const path = options.path ?? process.env.PATH ?? '';
  const major = Number(process.versions.node.split('.')[0]);
  const checks: DoctorCheck[] = [
    {
      name: 'versions',
      status: major >= 20 ? 'ok' : 'fail',
      detail: `Nucleon ${options.version}, Node.js ${process.versions.node}`,
      ...(major >= 20 ? {} : { fix: 'install Node.js 22 (the current LTS)' }),
    },
    ...checkDataDir(config),
  ];
  let care: CareDatabase | undefined;
  try {
    if (!config.databaseUrl && !existsSync(join(config.dataDir, 'pgdata')))
      throw new Error(`there is no embedded database in ${config.dataDir}`);
    care = await openForCare(config, { create: false });
  } catch (error) {
    if (error instanceof DataDirLockedError)
      checks.push({
        name: 'database',
        status: 'ok',
        detail: `the embedded database is held by a running Nucleon (pid ${error.holder.pid}); its own checks: GET /readyz`,
      });
    else
      checks.push({
        name: 'database',
        status: 'fail',
        detail: `cannot be opened: ${coerceError(error).message}`,
        fix: config.databaseUrl
          ? 'check DATABASE_URL, that PostgreSQL runs and accepts this host, and the credentials'
          : 'point --data-dir at the installation, or start `nucleon up` once to create it',
      });
  }
  if (care) {
    try {
      checks.push(...(await checkDatabase(config, care)));
    } catch (error) {
      checks.push({
        name: 'database',
        status: 'fail',
        detail: coerceError(error).message,
        fix: 'check that the database is Nucleon’s and reachable',
      });
    } finally {
      await care.close();
    }
  }
  checks.push(...(await checkTools(config, path)));
  return checks;
}
