import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createTestDatabase,
  postgresUnavailable,
  requireOrSkip,
  testDialects,
} from '@nucleon/test-utils';
import { Migrator, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase } from '../src/adapters/db/database.js';
import { migrations } from '../src/adapters/db/migrations/index.js';

/** Migration 0003 on data written by 0002: legacy engine names kept, folders reserved first come. */
for (const dialect of testDialects()) {
  describe(`migration 0003-engine-names (${dialect})`, async () => {
    const available = dialect === 'postgres' ? requireOrSkip(await postgresUnavailable()) : true;

    it.skipIf(!available)(
      'stores each existing resource’s legacy name and reserves its folder once',
      async () => {
        const dir = mkdtempSync(join(tmpdir(), 'nucleon-mig3-'));
        const pgdb = dialect === 'postgres' ? await createTestDatabase() : undefined;
        const handle = await openDatabase({ dataDir: dir, databaseUrl: pgdb?.url });
        try {
          const migrator = new Migrator({
            db: handle.db,
            provider: { getMigrations: () => Promise.resolve(migrations) },
            migrationTableName: 'nucleon_migrations',
            migrationLockTableName: 'nucleon_migrations_lock',
          });
          expect((await migrator.migrateTo('0002-deployments')).error).toBeUndefined();
          const repo = JSON.stringify({
            provisioningRepository: { provider: 'GITHUB', name: 'acme/infra', branch: 'main' },
          });
          const rows: Array<[string, string, string, string | null, string, string]> = [
            ['ENVIRONMENT', '', 'dev_1', null, repo, '2026-01-01T00:00:00Z'],
            ['ENVIRONMENT', '', 'plain', null, '{}', '2026-01-01T00:00:01Z'],
            ['SERVICE_INSTANCE', 'a', 'b-c', 'dev_1', '{}', '2026-01-02T00:00:00Z'],
            ['SERVICE_INSTANCE', 'a-b', 'c', 'dev_1', '{}', '2026-01-03T00:00:00Z'],
            ['SERVICE_INSTANCE', 'a', 'x', 'plain', '{}', '2026-01-03T00:00:00Z'],
            ['SERVICE_PIPELINE', 'a', 'pipeline', null, '{}', '2026-01-04T00:00:00Z'],
            ['COMPONENT', '', 'web', 'dev_1', '{}', '2026-01-05T00:00:00Z'],
          ];
          for (const [kind, service, name, env, settings, at] of rows) {
            await sql`insert into resources (kind, service_name, name, arn, environment_name, template_name, template_major, template_minor,
              deployment_status, last_deployment_attempted_at, last_deployment_succeeded_at, settings, created_at)
            values (${kind}, ${service}, ${name}, ${`arn:${kind}:${service}:${name}`}, ${env}, 't', 1, 0, 'SUCCEEDED', ${at}, ${at}, ${settings}::jsonb, ${at})`.execute(
              handle.db,
            );
          }
          await migrateToLatest(handle.db);
          const after = await handle.db
            .selectFrom('resources')
            .select(['kind', 'service_name', 'name', 'engine_name', 'provisioning_folder'])
            .orderBy('created_at')
            .orderBy('name')
            .execute();
          expect(
            after.map((r) => [
              r.kind,
              r.service_name,
              r.name,
              r.engine_name,
              r.provisioning_folder,
            ]),
          ).toEqual([
            ['ENVIRONMENT', '', 'dev_1', 'nucleon-env-dev-1', 'dev_1'],
            ['ENVIRONMENT', '', 'plain', 'nucleon-env-plain', null],
            ['SERVICE_INSTANCE', 'a', 'b-c', 'nucleon-svc-a-b-c', 'dev_1/a-b-c'],
            // Same folder as a/b-c, which was first: works on as before, unreserved.
            ['SERVICE_INSTANCE', 'a-b', 'c', 'nucleon-svc-a-b-c', null],
            ['SERVICE_INSTANCE', 'a', 'x', 'nucleon-svc-a-x', null],
            ['SERVICE_PIPELINE', 'a', 'pipeline', 'nucleon-svc-a-pipeline', null],
            ['COMPONENT', '', 'web', 'nucleon-component-web', 'dev_1/web'],
          ]);
        } finally {
          await handle.close();
          await pgdb?.drop();
          rmSync(dir, { recursive: true, force: true });
        }
      },
    );
  });
}
