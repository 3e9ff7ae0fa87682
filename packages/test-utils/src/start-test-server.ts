import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@nucleon/core';
import { createNucleon, loadConfig, type Nucleon } from '@nucleon/server';
import { createTestDatabase, type Dialect } from './test-databases.js';

export interface TestServer {
  url: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  nucleon: Nucleon;
  dataDir: string;
  dialect: Dialect;
  stop(): Promise<void>;
}

export const TEST_ROOT_KEY = {
  accessKeyId: 'AKIANUCLEONTESTROOT1',
  secretAccessKey: 'nucleon-test-root-secret-key-0000000000',
};

/**
 * Starts the real composition root on 127.0.0.1:<free port> over PGlite or PostgreSQL, with
 * strict wire on (NUCLEON_STRICT_WIRE; pass `env: { NUCLEON_STRICT_WIRE: 'false' }` to turn it off).
 */
export async function startTestServer(options: {
  dialect: Dialect;
  env?: Record<string, string>;
  /** false: an API server only (`nucleon server`); run workers with `startTestWorker`. */
  worker?: boolean;
  /** Sees the SQL text of every query the server runs. */
  onQuery?: (sql: string) => void;
}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'nucleon-test-'));
  const database = options.dialect === 'postgres' ? await createTestDatabase() : undefined;
  const config = loadConfig({
    NUCLEON_PORT: '0',
    NUCLEON_DATA_DIR: dataDir,
    NUCLEON_ACCOUNT_ID: '123456789012',
    NUCLEON_ROOT_ACCESS_KEY_ID: TEST_ROOT_KEY.accessKeyId,
    NUCLEON_ROOT_SECRET_ACCESS_KEY: TEST_ROOT_KEY.secretAccessKey,
    // Every answer is checked against the model (ADR 0024): a member the model does not
    // declare, or one missing or mistyped, fails the test with a 500 naming it.
    NUCLEON_STRICT_WIRE: 'true',
    ...(database ? { DATABASE_URL: database.url } : {}),
    ...options.env,
  });
  const nucleon = await createNucleon(config, {
    logger: silentLogger,
    ...(options.worker === false ? { worker: false } : {}),
    ...(options.onQuery ? { onQuery: options.onQuery } : {}),
  });
  const { url } = await nucleon.start();
  return {
    url,
    region: config.region,
    credentials: TEST_ROOT_KEY,
    nucleon,
    dataDir,
    dialect: options.dialect,
    stop: async () => {
      await nucleon.stop();
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A worker-only Nucleon (`nucleon worker`) on a PostgreSQL test server's database, sharing its data
 * dir (as workers sharing a volume would).
 */
export async function startTestWorker(
  server: TestServer,
  env: Record<string, string> = {},
): Promise<{ nucleon: Nucleon; stop(): Promise<void> }> {
  const databaseUrl = server.nucleon.config.databaseUrl;
  if (!databaseUrl) throw new Error('a separate worker needs a PostgreSQL test server');
  const config = loadConfig({
    NUCLEON_DATA_DIR: server.dataDir,
    NUCLEON_ACCOUNT_ID: server.nucleon.accountId,
    NUCLEON_ROOT_ACCESS_KEY_ID: TEST_ROOT_KEY.accessKeyId,
    NUCLEON_ROOT_SECRET_ACCESS_KEY: TEST_ROOT_KEY.secretAccessKey,
    DATABASE_URL: databaseUrl,
    ...env,
  });
  const nucleon = await createNucleon(config, { logger: silentLogger, http: false });
  await nucleon.start();
  return { nucleon, stop: () => nucleon.stop() };
}
