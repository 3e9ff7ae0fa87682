import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import {
  createTestDatabase,
  postgresUnavailable,
  requireOrSkip,
  testDialects,
} from '@nucleon/test-utils';
import { describe, expect, it } from 'vitest';
import { migrateDownAll, migrateToLatest, openDatabase } from '../src/adapters/db/database.js';

async function tables(db: Awaited<ReturnType<typeof openDatabase>>['db']): Promise<string[]> {
  const r = await sql<{
    table_name: string;
  }>`select table_name from information_schema.tables where table_schema = 'public' and table_name not like 'nucleon_migrations%' order by 1`.execute(
    db,
  );
  return r.rows.map((row) => row.table_name);
}

for (const dialect of testDialects()) {
  describe(`migrations (${dialect})`, async () => {
    const available = dialect === 'postgres' ? requireOrSkip(await postgresUnavailable()) : true;

    it.skipIf(!available)('go up, down and up again, leaving the same schema', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'nucleon-mig-'));
      const pgdb = dialect === 'postgres' ? await createTestDatabase() : undefined;
      const handle = await openDatabase({ dataDir: dir, databaseUrl: pgdb?.url });
      try {
        await migrateToLatest(handle.db);
        const up = await tables(handle.db);
        expect(up).toEqual(
          expect.arrayContaining([
            'templates',
            'template_versions',
            'jobs',
            'access_keys',
            'tags',
            'blobs',
          ]),
        );
        await migrateDownAll(handle.db);
        expect(await tables(handle.db)).toEqual([]);
        await migrateToLatest(handle.db);
        expect(await tables(handle.db)).toEqual(up);
      } finally {
        await handle.close();
        await pgdb?.drop();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
