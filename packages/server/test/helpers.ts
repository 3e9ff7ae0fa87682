import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  CreateEnvironmentTemplateCommand,
  CreateEnvironmentTemplateVersionCommand,
  CreateServiceTemplateCommand,
  CreateServiceTemplateVersionCommand,
  ProtonClient as SdkProtonClient,
  UpdateEnvironmentTemplateVersionCommand,
  UpdateServiceTemplateVersionCommand,
  waitUntilEnvironmentTemplateVersionRegistered,
  waitUntilServiceTemplateVersionRegistered,
} from '@aws-sdk/client-proton';
import { ProtonClient, extensionTargetPrefix } from '@nucleon/protocol';
import type { TestServer } from '@nucleon/test-utils';

export const fixturesDir = fileURLToPath(new URL('./fixtures/bundles/', import.meta.url));

/** A .tar.gz of a fixture bundle, made with the system's tar (as users make them). */
export function tarFixture(name: string): Buffer {
  return execFileSync('tar', ['-czf', '-', '-C', `${fixturesDir}${name}`, '.']);
}

export function sdkClient(server: TestServer): SdkProtonClient {
  return new SdkProtonClient({
    endpoint: server.url,
    region: server.region,
    credentials: server.credentials,
    maxAttempts: 1,
  });
}

export function nucleonClient(server: TestServer): ProtonClient {
  return new ProtonClient({
    endpoint: server.url,
    region: server.region,
    credentials: server.credentials,
  });
}

/** Pushes a fixture bundle into Nucleon's bundle store and returns its S3 source. */
export async function pushFixture(
  server: TestServer,
  name: string,
  key = `${name}.tar.gz`,
): Promise<{ bucket: string; key: string }> {
  const out = (await nucleonClient(server).send(`${extensionTargetPrefix}.PutBundle`, {
    key,
    content: tarFixture(name).toString('base64'),
  })) as { s3: { bucket: string; key: string } };
  return out.s3;
}

/**
 * Registers a fixture bundle as a new version of a template (creating the template when needed),
 * waits for registration and publishes it — the setup most deployment tests share.
 */
export async function publishFixture(
  server: TestServer,
  options: {
    kind: 'ENVIRONMENT' | 'SERVICE';
    template: string;
    fixture: string;
    compatible?: Array<{ templateName: string; majorVersion: string }>;
    pipeline?: boolean;
  },
): Promise<{ majorVersion: string; minorVersion: string }> {
  const proton = sdkClient(server);
  const source = {
    s3: await pushFixture(server, options.fixture, `${options.template}-${options.fixture}.tar.gz`),
  };
  const w = { client: proton, maxWaitTime: 60, minDelay: 1, maxDelay: 1 };
  if (options.kind === 'ENVIRONMENT') {
    await proton
      .send(new CreateEnvironmentTemplateCommand({ name: options.template }))
      .catch(() => undefined);
    const v = (
      await proton.send(
        new CreateEnvironmentTemplateVersionCommand({ templateName: options.template, source }),
      )
    ).environmentTemplateVersion!;
    const ref = {
      templateName: options.template,
      majorVersion: v.majorVersion!,
      minorVersion: v.minorVersion!,
    };
    await waitUntilEnvironmentTemplateVersionRegistered(w, ref);
    await proton.send(new UpdateEnvironmentTemplateVersionCommand({ ...ref, status: 'PUBLISHED' }));
    return ref;
  }
  await proton
    .send(
      new CreateServiceTemplateCommand({
        name: options.template,
        ...(options.pipeline ? {} : { pipelineProvisioning: 'CUSTOMER_MANAGED' }),
      }),
    )
    .catch(() => undefined);
  const v = (
    await proton.send(
      new CreateServiceTemplateVersionCommand({
        templateName: options.template,
        source,
        compatibleEnvironmentTemplates: options.compatible ?? [],
      }),
    )
  ).serviceTemplateVersion!;
  const ref = {
    templateName: options.template,
    majorVersion: v.majorVersion!,
    minorVersion: v.minorVersion!,
  };
  await waitUntilServiceTemplateVersionRegistered(w, ref);
  await proton.send(new UpdateServiceTemplateVersionCommand({ ...ref, status: 'PUBLISHED' }));
  return ref;
}
