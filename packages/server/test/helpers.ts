import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ProtonClient as SdkProtonClient } from '@aws-sdk/client-proton';
import { ProtonClient, extensionTargetPrefix } from '@nucleon/protocol';
import type { TestServer } from '@nucleon/test-utils';

export const fixturesDir = fileURLToPath(new URL('./fixtures/bundles/', import.meta.url));

/** A .tar.gz of a fixture bundle, made with the system's tar (as users make them). */
export function tarFixture(name: string): Buffer {
  return execFileSync('tar', ['-czf', '-', '-C', `${fixturesDir}${name}`, '.']);
}

export function sdkClient(server: TestServer): SdkProtonClient {
  return new SdkProtonClient({ endpoint: server.url, region: server.region, credentials: server.credentials, maxAttempts: 1 });
}

export function nucleonClient(server: TestServer): ProtonClient {
  return new ProtonClient({ endpoint: server.url, region: server.region, credentials: server.credentials });
}

/** Pushes a fixture bundle into Nucleon's bundle store and returns its S3 source. */
export async function pushFixture(server: TestServer, name: string, key = `${name}.tar.gz`): Promise<{ bucket: string; key: string }> {
  const out = (await nucleonClient(server).send(`${extensionTargetPrefix}.PutBundle`, {
    key,
    content: tarFixture(name).toString('base64'),
  })) as { s3: { bucket: string; key: string } };
  return out.s3;
}
