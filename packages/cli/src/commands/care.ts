import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { extensionTargetPrefix, type ExportBackupOutput } from '@nucleon/protocol';
import type { BackupSummary, NucleonConfig } from '@nucleon/server';
import { resolveConnection, type ConnectionFlags } from '../connection.js';

interface CareFlags extends ConnectionFlags {
  dataDir?: string;
  force?: boolean;
  newKeyStdin?: boolean;
}

/** The server's configuration from NUCLEON_* / DATABASE_URL and --data-dir; undefined after printing why not. */
export async function careConfig(flags: CareFlags): Promise<NucleonConfig | undefined> {
  process.umask(0o077);
  const { ConfigError, loadConfig } = await import('@nucleon/server');
  try {
    return loadConfig(process.env, { dataDir: flags.dataDir });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`nucleon: ${error.message}\n`);
      return undefined;
    }
    throw error;
  }
}

const dataDirOption = (cmd: Command) =>
  cmd.option(
    '-d, --data-dir <dir>',
    "the installation's data dir (NUCLEON_DATA_DIR; default ./.nucleon); PostgreSQL when DATABASE_URL is set",
  );

function describeKey(summary: BackupSummary): string {
  return summary.masterKeyIncluded
    ? `master key ${summary.masterKeyFingerprint} included`
    : `master key ${summary.masterKeyFingerprint} NOT included (it is NUCLEON_MASTER_KEY: keep it, the restore needs it)`;
}

async function backup(file: string, flags: CareFlags): Promise<number> {
  const config = await careConfig(flags);
  if (!config) return 2;
  const target = resolve(file);
  if (existsSync(target) && !flags.force) {
    process.stderr.write(`nucleon: ${target} exists; pass --force to replace it.\n`);
    return 1;
  }
  const server = await import('@nucleon/server');
  let made: { archive: Buffer; summary: BackupSummary };
  let via = 'read directly from the database';
  try {
    made = await server.createBackup(config);
  } catch (error) {
    if (!(error instanceof server.DataDirLockedError)) throw error;
    // The embedded database is open in a running server: it takes the snapshot.
    const { client, endpoint } = resolveConnection(flags, {
      ...process.env,
      NUCLEON_DATA_DIR: config.dataDir,
    });
    const out = (await client.send(
      `${extensionTargetPrefix}.ExportBackup`,
      {},
    )) as ExportBackupOutput;
    made = server.completeBackup(Buffer.from(out.archive, 'base64'), config);
    via = `taken by the running server at ${endpoint}`;
  }
  const partial = `${target}.partial-${process.pid}`;
  writeFileSync(partial, made.archive, { mode: 0o600 });
  renameSync(partial, target);
  const { summary } = made;
  process.stdout.write(
    `Backed up ${summary.rows} rows of ${summary.tables} tables (${via}) to ${target}; ${describeKey(summary)}.\n` +
      'The file holds every resource and secret of the installation: keep it as safe as the data dir.\n',
  );
  return 0;
}

async function restore(file: string, flags: CareFlags): Promise<number> {
  const config = await careConfig(flags);
  if (!config) return 2;
  const server = await import('@nucleon/server');
  let summary: BackupSummary;
  try {
    summary = await server.restoreBackup(config, readFileSync(resolve(file)));
  } catch (error) {
    if (error instanceof server.DataDirLockedError || error instanceof server.BackupFormatError) {
      process.stderr.write(`nucleon: ${error.message}\n`);
      return 1;
    }
    if (error instanceof Error && !('code' in error)) {
      process.stderr.write(`nucleon: could not restore: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
  process.stdout.write(
    `Restored ${summary.rows} rows of ${summary.tables} tables into ${config.databaseUrl ? 'the PostgreSQL database' : config.dataDir}; ${summary.secrets} secrets open with master key ${summary.masterKeyFingerprint}. Start Nucleon on it.\n`,
  );
  return 0;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').trim();
}

async function rotate(flags: CareFlags): Promise<number> {
  const config = await careConfig(flags);
  if (!config) return 2;
  const server = await import('@nucleon/server');
  let newKey: Buffer | undefined;
  if (flags.newKeyStdin) {
    newKey = Buffer.from(await readStdin(), 'base64');
    if (newKey.length !== 32) {
      process.stderr.write('nucleon: the new key on stdin must be 32 bytes in base64.\n');
      return 2;
    }
  }
  let result;
  try {
    result = await server.rotateMasterKey(config, newKey);
  } catch (error) {
    if (error instanceof Error && !('code' in error)) {
      process.stderr.write(`nucleon: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
  if (result.resumed) {
    process.stdout.write(
      `Finished an interrupted rotation: master key ${result.newFingerprint} is in use now.\n`,
    );
    return 0;
  }
  process.stdout.write(
    `Re-encrypted ${result.secrets} secrets: master key ${result.oldFingerprint} → ${result.newFingerprint}.\n`,
  );
  if (result.newKey)
    process.stdout.write(
      `Set NUCLEON_MASTER_KEY=${result.newKey} on every server and worker before starting them (shown only now).\n`,
    );
  else if (config.masterKey)
    process.stdout.write(
      'Set NUCLEON_MASTER_KEY to the new key on every server and worker before starting them.\n',
    );
  return 0;
}

async function doctor(flags: CareFlags & { output?: string }): Promise<number> {
  const config = await careConfig(flags);
  if (!config) return 2;
  const { runDoctor } = await import('@nucleon/server');
  const checks = await runDoctor(config, { version: NUCLEON_VERSION });
  const failed = checks.filter((c) => c.status === 'fail').length;
  const warned = checks.filter((c) => c.status === 'warn').length;
  if (flags.output === 'json') {
    process.stdout.write(JSON.stringify({ checks }, null, 2) + '\n');
    return failed > 0 ? 1 : 0;
  }
  const width = Math.max(...checks.map((c) => c.name.length));
  const lines = [
    `Nucleon doctor: data dir ${config.dataDir}; database ${config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : 'embedded'}`,
  ];
  for (const c of checks) {
    lines.push(
      `  ${(c.status === 'fail' ? 'FAIL' : c.status).padEnd(5)} ${c.name.padEnd(width)}  ${c.detail}`,
    );
    if (c.fix && c.status !== 'ok')
      lines.push(`  ${''.padEnd(5)} ${''.padEnd(width)}  fix: ${c.fix}`);
  }
  lines.push(
    failed > 0
      ? `${failed} problem${failed === 1 ? '' : 's'} to fix${warned > 0 ? `, ${warned} warning${warned === 1 ? '' : 's'}` : ''}.`
      : `Everything needed is in order${warned > 0 ? ` (${warned} warning${warned === 1 ? '' : 's'})` : ''}.`,
  );
  process.stdout.write(lines.join('\n') + '\n');
  return failed > 0 ? 1 : 0;
}

/** The version `nucleon --version` prints. */
const NUCLEON_VERSION = '0.1.0';

export function registerCareCommands(program: Command, setExit: (code: number) => void): void {
  dataDirOption(program.command('doctor'))
    .description(
      'check the installation (database, migrations, secrets, sandbox, runner, clock, git, versions, data dir permissions) and say what to fix; exit 1 when something must be fixed',
    )
    .option('-o, --output <format>', 'table or json', 'table')
    .action(async (flags: CareFlags & { output?: string }) => setExit(await doctor(flags)));
  dataDirOption(program.command('backup <file>'))
    .description(
      'back up every resource and secret (consistent while servers run); the embedded database of a running server is snapshotted by that server (admin key)',
    )
    .option('--force', 'replace <file> if it exists')
    .option('--endpoint-url <url>', 'the running server, for an embedded database it holds')
    .option('--profile <name>', 'credentials profile (default: the data dir credentials)')
    .option('--region <region>', 'signing region (AWS_REGION; default us-east-1)')
    .action(async (file: string, flags: CareFlags) => setExit(await backup(file, flags)));
  dataDirOption(program.command('restore <file>'))
    .description(
      'restore a backup into a fresh data dir, or into the empty PostgreSQL database of DATABASE_URL (servers stopped)',
    )
    .action(async (file: string, flags: CareFlags) => setExit(await restore(file, flags)));
}

/** `nucleon keys rotate-master`, under the `keys` command. */
export function registerRotateMaster(keys: Command, setExit: (code: number) => void): void {
  dataDirOption(keys.command('rotate-master'))
    .description(
      're-encrypt every secret under a new master key in one transaction (stop every server and worker first)',
    )
    .option(
      '--new-key-stdin',
      'read the new key (32 bytes, base64) from stdin; default: generate one (in the data dir, or printed once when NUCLEON_MASTER_KEY holds the key)',
    )
    .action(async (flags: CareFlags) => setExit(await rotate(flags)));
}
