import {
  CreateEnvironmentCommand,
  InternalServerException,
  ListEnvironmentTemplatesCommand,
  waitUntilEnvironmentDeployed,
  type ProtonClient,
} from '@aws-sdk/client-proton';
import {
  adminUrl,
  postgresUnavailable,
  requireOrSkip,
  startTestServer,
  waitFor,
  type TestServer,
} from '@nucleon/test-utils';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishFixture, sdkClient } from './helpers.js';

/** Runs one statement on the cluster's admin database. */
async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

// PostgreSQL only: PGlite runs inside the process and cannot be lost.
describe('losing the PostgreSQL database while serving', async () => {
  if (!requireOrSkip(await postgresUnavailable())) return;
  let server: TestServer;
  let proton: ProtonClient;
  let database: string;

  const readyz = async () => (await fetch(`${server.url}/readyz`)).status;

  beforeAll(async () => {
    server = await startTestServer({ dialect: 'postgres' });
    proton = sdkClient(server);
    database = new URL(server.nucleon.config.databaseUrl!).pathname.slice(1);
    await publishFixture(server, {
      kind: 'ENVIRONMENT',
      template: 'diag',
      fixture: 'env-codebuild-diag',
    });
  });
  afterAll(async () => {
    await admin(`alter database ${database} allow_connections true`).catch(() => undefined);
    await server?.stop();
  });

  it('keeps running, answers 503 and InternalServerException while it is gone, and resumes work when it is back', async () => {
    expect(await readyz()).toBe(200);

    // The outage: no new connections, and every open one is dropped (idle ones included).
    await admin(`alter database ${database} allow_connections false`);
    await admin(
      `select pg_terminate_backend(pid) from pg_stat_activity where datname = '${database}'`,
    );

    expect(
      await waitFor(async () => ((await readyz()) === 503 ? 503 : undefined), {
        what: '/readyz to report the outage',
      }),
    ).toBe(503);
    const error = await proton
      .send(new ListEnvironmentTemplatesCommand({}))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InternalServerException);
    expect((error as Error).message).toMatch(
      /^Nucleon cannot reach its database right now \(.+\), so this request failed\. Retry it once the database is back: GET \/readyz answers 503 until then\. Request id \S+\.$/,
    );
    const write = await proton
      .send(
        new CreateEnvironmentCommand({
          name: 'during',
          templateName: 'diag',
          templateMajorVersion: '1',
          spec: 'proton: EnvironmentSpec\nspec: {}\n',
        }),
      )
      .catch((e: unknown) => e);
    expect(write).toBeInstanceOf(InternalServerException);

    await admin(`alter database ${database} allow_connections true`);
    expect(
      await waitFor(async () => ((await readyz()) === 200 ? 200 : undefined), {
        what: '/readyz to recover',
      }),
    ).toBe(200);
    expect(
      (await proton.send(new ListEnvironmentTemplatesCommand({}))).templates?.map((t) => t.name),
    ).toEqual(['diag']);

    // The worker kept polling through the outage: a deployment started now runs to the end.
    await proton.send(
      new CreateEnvironmentCommand({
        name: 'after',
        templateName: 'diag',
        templateMajorVersion: '1',
        spec: 'proton: EnvironmentSpec\nspec: {}\n',
      }),
    );
    expect(
      (
        await waitUntilEnvironmentDeployed(
          { client: proton, maxWaitTime: 60, minDelay: 1, maxDelay: 1 },
          { name: 'after' },
        )
      ).state,
    ).toBe('SUCCESS');
  });
});
