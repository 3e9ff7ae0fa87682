import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetEnvironmentCommand, ProtonClient } from '@aws-sdk/client-proton';
import type { TestServer } from '@nucleon/test-utils';
import { expect } from 'vitest';

/** How often a counter fixture's commands ran for `name` (`<counter_dir>/<name>.<what>` lines). */
export function runs(
  counterDir: string,
  name: string,
  what: 'provision' | 'deprovision' = 'provision',
): number {
  const file = join(counterDir, `${name}.${what}`);
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0;
}

/** Scoped credentials still stored for deployments that have ended (there must be none). */
export async function keysOfEndedDeployments(server: TestServer): Promise<string[]> {
  const rows = await server.nucleon.database.db
    .selectFrom('access_keys')
    .innerJoin('deployments', 'deployments.id', 'access_keys.deployment_id')
    .select(['access_keys.access_key_id', 'deployments.target_name', 'deployments.status'])
    .where('deployments.status', 'not in', ['IN_PROGRESS', 'CANCELLING'])
    .execute();
  return rows.map((r) => `${r.target_name} (${r.status}): ${r.access_key_id}`);
}

/**
 * The scoped credentials a counter fixture's commands were given (`<counter_dir>/<name>.creds`) no
 * longer authenticate: the API answers UnrecognizedClientException.
 */
export async function expectCredentialsRevoked(
  url: string,
  counterDir: string,
  name: string,
): Promise<void> {
  const [accessKeyId, secretAccessKey, sessionToken] = readFileSync(
    join(counterDir, `${name}.creds`),
    'utf8',
  ).split('\n');
  expect(accessKeyId, `${name} was given scoped credentials`).toBeTruthy();
  const client = new ProtonClient({
    endpoint: url,
    region: 'us-east-1',
    credentials: {
      accessKeyId: accessKeyId!,
      secretAccessKey: secretAccessKey!,
      sessionToken: sessionToken!,
    },
    maxAttempts: 1,
  });
  await expect(
    client.send(new GetEnvironmentCommand({ name: 'any' })),
    `${name}'s credentials`,
  ).rejects.toMatchObject({
    name: 'UnrecognizedClientException',
  });
}
