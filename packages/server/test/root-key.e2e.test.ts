import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@nucleon/core';
import { ProtonClient, extensionTargetPrefix } from '@nucleon/protocol';
import { createNucleon, loadConfig } from '@nucleon/server';
import { afterAll, describe, expect, it } from 'vitest';

const first = {
  accessKeyId: 'AKIAROOTFIRSTKEY0001',
  secretAccessKey: 'first-root-secret-0000000000000000000000',
};
const second = {
  accessKeyId: 'AKIAROOTSECONDKEY002',
  secretAccessKey: 'second-root-secret-000000000000000000000',
};

describe('the root key from NUCLEON_ROOT_*', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nucleon-root-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  const start = async (root: typeof first) => {
    const config = loadConfig({
      NUCLEON_PORT: '0',
      NUCLEON_DATA_DIR: dataDir,
      NUCLEON_ACCOUNT_ID: '123456789012',
      NUCLEON_ROOT_ACCESS_KEY_ID: root.accessKeyId,
      NUCLEON_ROOT_SECRET_ACCESS_KEY: root.secretAccessKey,
      NUCLEON_STRICT_WIRE: 'true',
    });
    const nucleon = await createNucleon(config, { logger: silentLogger, worker: false });
    const { url } = await nucleon.start();
    return {
      nucleon,
      client: (key: typeof first) =>
        new ProtonClient({ endpoint: url, region: 'us-east-1', credentials: key }),
    };
  };
  const listKeys = async (client: ProtonClient) =>
    (
      (await client.send(`${extensionTargetPrefix}.ListAccessKeys`, {})) as {
        accessKeys: Array<{ accessKeyId: string; root: boolean; role: string }>;
      }
    ).accessKeys;

  it('is retired when the setting changes, while keys made with it stay', async () => {
    const a = await start(first);
    const made = (
      (await a.client(first).send(`${extensionTargetPrefix}.CreateAccessKey`, {
        description: 'made by the first root',
      })) as { accessKey: typeof first }
    ).accessKey;
    await a.nucleon.stop();

    const b = await start(second);
    try {
      const keys = await listKeys(b.client(second));
      expect(keys.filter((k) => k.root).map((k) => k.accessKeyId)).toEqual([second.accessKeyId]);
      // A key made before roles existed, with no user and no role, is an admin (back-compat).
      expect(keys.find((k) => k.accessKeyId === made.accessKeyId)).toMatchObject({
        root: false,
        role: 'admin',
      });
      await expect(
        b.client(first).send(`${extensionTargetPrefix}.ListAccessKeys`, {}),
      ).rejects.toThrow(/UnrecognizedClient|security token|access key/i);
      expect(await listKeys(b.client(made))).toHaveLength(2);
    } finally {
      await b.nucleon.stop();
    }
  });
});
