import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  CreateEnvironmentCommand,
  CreateEnvironmentTemplateCommand,
  CreateEnvironmentTemplateVersionCommand,
  CreateServiceCommand,
  CreateServiceTemplateCommand,
  CreateServiceTemplateVersionCommand,
  GetEnvironmentCommand,
  GetEnvironmentTemplateVersionCommand,
  GetServiceInstanceCommand,
  ListEnvironmentOutputsCommand,
  UpdateEnvironmentTemplateVersionCommand,
  UpdateServiceTemplateVersionCommand,
  ValidationException,
  waitUntilEnvironmentDeployed,
  waitUntilEnvironmentTemplateVersionRegistered,
  waitUntilServiceCreated,
  waitUntilServiceTemplateVersionRegistered,
  type ProtonClient,
} from '@aws-sdk/client-proton';
import { extensionTargetPrefix } from '@nucleon/protocol';
import {
  postgresUnavailable,
  requireOrSkip,
  startTestServer,
  testDialects,
  waitFor,
  type TestServer,
} from '@nucleon/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nucleonClient, sdkClient } from './helpers.js';

// Issue 10, "lenient where Proton was": undeclared spec inputs, Proton's file size quotas and
// the manifest's `engine` key, end to end through @aws-sdk/client-proton (ADR 0016).

const KiB = 1024;
const w = (client: ProtonClient) => ({ client, maxWaitTime: 60, minDelay: 1, maxDelay: 1 });

const ENV_SCHEMA = `schema:
  format:
    openapi: "3.0.0"
  environment_input_type: "EnvInput"
  types:
    EnvInput:
      type: object
      properties:
        greeting:
          type: string
          default: hello
        packaging_command:
          type: string
          default: make build
`;

/** CodeBuild commands that publish the inputs they were given as outputs. */
const ENV_MANIFEST = `infrastructure:
  templates:
    - engine: codebuild
      settings:
        provision:
          - node -e 'const i=require("./proton-inputs.json").environment.inputs; require("fs").writeFileSync("proton-outputs.json", JSON.stringify({Inputs:JSON.stringify(i)}))'
        deprovision:
          - echo gone
`;

const SVC_SCHEMA = `schema:
  format:
    openapi: "3.0.0"
  service_input_type: "SvcInput"
  types:
    SvcInput:
      type: object
      properties:
        port:
          type: number
          default: 8080
`;

const SVC_MANIFEST = `infrastructure:
  templates:
    - rendering_engine: codebuild
      settings:
        provision:
          - echo "instance port $(node -p 'require("./proton-inputs.json").service_instance.inputs.port')"
        deprovision:
          - echo gone
`;

const CFN_MANIFEST = `infrastructure:
  templates:
    - file: "cloudformation.yaml"
      engine: jinja
      template_language: cloudformation
`;

/** Writes a bundle folder and returns its .tar.gz, made with the system's tar as users do. */
function tarBundle(root: string, name: string, files: Record<string, string | Buffer>): Buffer {
  const dir = join(root, name);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return execFileSync('tar', ['-czf', '-', '-C', dir, '.'], { maxBuffer: 64 * 1024 * 1024 });
}

async function putBundle(server: TestServer, key: string, archive: Buffer) {
  const send = () =>
    nucleonClient(server).send(`${extensionTargetPrefix}.PutBundle`, {
      key,
      content: archive.toString('base64'),
    });
  // fetch reuses idle keep-alive connections; one the server closed as the upload started fails
  // with a network TypeError before any answer. The SDKs retry that; so does this helper, once.
  const out = (await send().catch((error: unknown) => {
    if (error instanceof TypeError) return send();
    throw error;
  })) as { s3: { bucket: string; key: string } };
  return out.s3;
}

for (const dialect of testDialects())
  describe(`bundles and specs Proton accepted are accepted, with warnings (${dialect})`, async () => {
    if (dialect === 'postgres' && !requireOrSkip(await postgresUnavailable())) return;
    let server: TestServer;
    let proton: ProtonClient;
    let root: string;

    beforeAll(async () => {
      root = mkdtempSync(join(tmpdir(), 'nucleon-lenient-'));
      server = await startTestServer({ dialect });
      proton = sdkClient(server);
    });
    afterAll(async () => {
      await server?.stop();
      if (root) rmSync(root, { recursive: true, force: true });
    });

    it('registers a bundle carrying a 400 KiB package-lock.json and a 350 KiB image, and reads engine: as rendering_engine', async () => {
      const archive = tarBundle(root, 'env-large-files', {
        'schema/schema.yaml': ENV_SCHEMA,
        'infrastructure/manifest.yaml': ENV_MANIFEST,
        'infrastructure/package-lock.json': JSON.stringify({
          lockfileVersion: 3,
          packages: Object.fromEntries(
            Array.from({ length: 4000 }, (_, i) => [`node_modules/p${i}`, { version: `1.0.${i}` }]),
          ),
        }).padEnd(400 * KiB, ' '),
        'input.png': randomBytes(350 * KiB),
      });
      const source = { s3: await putBundle(server, 'env-large-files.tar.gz', archive) };
      await proton.send(new CreateEnvironmentTemplateCommand({ name: 'lenient-env' }));
      await proton.send(
        new CreateEnvironmentTemplateVersionCommand({ templateName: 'lenient-env', source }),
      );
      const ref = { templateName: 'lenient-env', majorVersion: '1', minorVersion: '0' };
      await waitUntilEnvironmentTemplateVersionRegistered(w(proton), ref);
      const draft = await proton.send(new GetEnvironmentTemplateVersionCommand(ref));
      expect(draft.environmentTemplateVersion?.status).toBe('DRAFT');
      expect(draft.environmentTemplateVersion?.statusMessage).toBe(
        'Warning: infrastructure/manifest.yaml:3: "engine" is read as "rendering_engine" (the key early Proton bundles used); write rendering_engine: codebuild',
      );
      await proton.send(
        new UpdateEnvironmentTemplateVersionCommand({ ...ref, status: 'PUBLISHED' }),
      );
      const published = await proton.send(new GetEnvironmentTemplateVersionCommand(ref));
      expect(published.environmentTemplateVersion?.status).toBe('PUBLISHED');
    });

    it('creates and deploys an environment whose spec has an undeclared input, showing the warning', async () => {
      // AWS's lambda-multi-svc sample passes packaging_commands where the schema says packaging_command.
      const created = await proton.send(
        new CreateEnvironmentCommand({
          name: 'dev',
          templateName: 'lenient-env',
          templateMajorVersion: '1',
          spec: 'proton: EnvironmentSpec\nspec:\n  greeting: bonjour\n  packaging_commands: npm run build\n',
        }),
      );
      const warning =
        'Warning: spec: undeclared input "packaging_commands" is ignored (the template\'s schema does not declare it)';
      expect(created.environment?.deploymentStatus).toBe('IN_PROGRESS');
      expect(created.environment?.deploymentStatusMessage).toBe(warning);
      expect((await waitUntilEnvironmentDeployed(w(proton), { name: 'dev' })).state).toBe(
        'SUCCESS',
      );
      const env = (await proton.send(new GetEnvironmentCommand({ name: 'dev' }))).environment!;
      expect(env.deploymentStatus).toBe('SUCCEEDED');
      expect(env.deploymentStatusMessage).toContain(warning);

      // Rendering never saw the undeclared input; the declared one kept its default.
      const outputs = (
        await proton.send(new ListEnvironmentOutputsCommand({ environmentName: 'dev' }))
      ).outputs;
      const inputs = JSON.parse(outputs?.find((o) => o.key === 'Inputs')?.valueString ?? '{}');
      expect(inputs).toEqual({ greeting: 'bonjour', packaging_command: 'make build' });

      const details = (await nucleonClient(server).send(
        `${extensionTargetPrefix}.GetDeploymentDetails`,
        { id: env.lastAttemptedDeploymentId },
      )) as { events: Array<{ kind: string; message: string }> };
      expect(details.events.map((e) => e.message)).toContain(
        'warning: spec: undeclared input "packaging_commands" is ignored (the template\'s schema does not declare it)',
      );
    });

    it('still refuses an invalid value of a declared input', async () => {
      const error = await proton
        .send(
          new CreateEnvironmentCommand({
            name: 'bad',
            templateName: 'lenient-env',
            templateMajorVersion: '1',
            spec: 'proton: EnvironmentSpec\nspec:\n  greeting: 42\n  extra: 1\n',
          }),
        )
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationException);
      expect((error as Error).message).toBe('spec: spec.greeting must be string');
    });

    it('creates a service whose instance spec has an undeclared input, warning on the instance', async () => {
      const archive = tarBundle(root, 'svc', {
        'schema/schema.yaml': SVC_SCHEMA,
        'instance_infrastructure/manifest.yaml': SVC_MANIFEST,
      });
      const source = { s3: await putBundle(server, 'svc.tar.gz', archive) };
      await proton.send(
        new CreateServiceTemplateCommand({
          name: 'lenient-svc',
          pipelineProvisioning: 'CUSTOMER_MANAGED',
        }),
      );
      await proton.send(
        new CreateServiceTemplateVersionCommand({
          templateName: 'lenient-svc',
          source,
          compatibleEnvironmentTemplates: [{ templateName: 'lenient-env', majorVersion: '1' }],
        }),
      );
      const ref = { templateName: 'lenient-svc', majorVersion: '1', minorVersion: '0' };
      await waitUntilServiceTemplateVersionRegistered(w(proton), ref);
      await proton.send(new UpdateServiceTemplateVersionCommand({ ...ref, status: 'PUBLISHED' }));
      await proton.send(
        new CreateServiceCommand({
          name: 'api',
          templateName: 'lenient-svc',
          templateMajorVersion: '1',
          spec: 'proton: ServiceSpec\ninstances:\n  - name: api-dev\n    environment: dev\n    tier: gold\n    spec:\n      port: 9000\n      replicas: 2\n',
        }),
      );
      expect((await waitUntilServiceCreated(w(proton), { name: 'api' })).state).toBe('SUCCESS');
      const instance = (
        await proton.send(new GetServiceInstanceCommand({ serviceName: 'api', name: 'api-dev' }))
      ).serviceInstance!;
      expect(instance.deploymentStatus).toBe('SUCCEEDED');
      expect(instance.deploymentStatusMessage).toContain(
        'Warnings: spec line 5: unknown key "tier" in an instance is ignored; known keys: name, environment, spec; spec.instances[api-dev]: undeclared input "replicas" is ignored',
      );
    });

    it('refuses a template file over 200 KiB at registration, naming the file, the limit and the setting', async () => {
      const archive = tarBundle(root, 'env-big-template', {
        'schema/schema.yaml': ENV_SCHEMA,
        'infrastructure/manifest.yaml': CFN_MANIFEST,
        'infrastructure/cloudformation.yaml': `# ${'x'.repeat(250 * KiB)}\nResources: {}\n`,
      });
      const source = { s3: await putBundle(server, 'env-big-template.tar.gz', archive) };
      await proton.send(new CreateEnvironmentTemplateCommand({ name: 'big-template' }));
      await proton.send(
        new CreateEnvironmentTemplateVersionCommand({ templateName: 'big-template', source }),
      );
      const ref = { templateName: 'big-template', majorVersion: '1', minorVersion: '0' };
      const failed = await waitFor(async () => {
        const v = (await proton.send(new GetEnvironmentTemplateVersionCommand(ref)))
          .environmentTemplateVersion;
        return v?.status === 'REGISTRATION_IN_PROGRESS' ? undefined : v;
      });
      expect(failed.status).toBe('REGISTRATION_FAILED');
      expect(failed.statusMessage).toBe(
        'infrastructure/cloudformation.yaml: is 250.0 KiB; the limit is 200 KiB (NUCLEON_TEMPLATE_FILE_MAX_BYTES) for a template file (a file the manifest names)',
      );
    });

    it('registers a CloudFormation manifest written with engine: jinja', async () => {
      const archive = tarBundle(root, 'env-engine-key', {
        'schema/schema.yaml': ENV_SCHEMA,
        'infrastructure/manifest.yaml': CFN_MANIFEST,
        'infrastructure/cloudformation.yaml':
          'Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: "{{ environment.inputs.greeting }}"\n',
      });
      const source = { s3: await putBundle(server, 'env-engine-key.tar.gz', archive) };
      await proton.send(new CreateEnvironmentTemplateCommand({ name: 'engine-key' }));
      await proton.send(
        new CreateEnvironmentTemplateVersionCommand({ templateName: 'engine-key', source }),
      );
      const ref = { templateName: 'engine-key', majorVersion: '1', minorVersion: '0' };
      await waitUntilEnvironmentTemplateVersionRegistered(w(proton), ref);
      const v = (await proton.send(new GetEnvironmentTemplateVersionCommand(ref)))
        .environmentTemplateVersion!;
      expect(v.status).toBe('DRAFT');
      expect(v.statusMessage).toMatch(/manifest\.yaml:4: "engine" is read as "rendering_engine"/);
    });

    it('refuses a bundle over 5 MB with a ValidationException naming the limit and the setting', async () => {
      const archive = tarBundle(root, 'env-too-big', {
        'schema/schema.yaml': ENV_SCHEMA,
        'infrastructure/manifest.yaml': ENV_MANIFEST,
        'infrastructure/data.bin': randomBytes(5 * 1024 * KiB + 100 * KiB),
      });
      const error = await putBundle(server, 'env-too-big.tar.gz', archive).catch((e: unknown) => e);
      expect((error as Error).name).toBe('ValidationException');
      expect((error as Error).message).toMatch(
        /^The bundle archive is 5\.1 MiB, over the bundle size limit: the limit is 5 MiB \(NUCLEON_BUNDLE_MAX_BYTES\)\./,
      );
    });
  });

describe('bundle limits are configurable', () => {
  let server: TestServer;
  let proton: ProtonClient;
  let root: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'nucleon-limits-'));
    server = await startTestServer({
      dialect: 'pglite',
      env: {
        NUCLEON_TEMPLATE_FILE_MAX_BYTES: String(300 * KiB),
        NUCLEON_BUNDLE_MAX_BYTES: String(7 * 1024 * KiB),
      },
    });
    proton = sdkClient(server);
  });
  afterAll(async () => {
    await server?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('registers a 250 KiB template file and a 6 MiB bundle under raised limits', async () => {
    const archive = tarBundle(root, 'env-raised', {
      'schema/schema.yaml': ENV_SCHEMA,
      'infrastructure/manifest.yaml': CFN_MANIFEST.replace('engine', 'rendering_engine'),
      'infrastructure/cloudformation.yaml': `# ${'x'.repeat(250 * KiB)}\nResources: {}\n`,
      'infrastructure/data.bin': randomBytes(6 * 1024 * KiB),
    });
    expect(archive.length).toBeGreaterThan(6 * 1024 * KiB);
    const source = { s3: await putBundle(server, 'env-raised.tar.gz', archive) };
    await proton.send(new CreateEnvironmentTemplateCommand({ name: 'raised' }));
    await proton.send(
      new CreateEnvironmentTemplateVersionCommand({ templateName: 'raised', source }),
    );
    const ref = { templateName: 'raised', majorVersion: '1', minorVersion: '0' };
    await waitUntilEnvironmentTemplateVersionRegistered(w(proton), ref);
    const v = (await proton.send(new GetEnvironmentTemplateVersionCommand(ref)))
      .environmentTemplateVersion!;
    expect(v.status).toBe('DRAFT');
    expect(v.statusMessage).toBeUndefined();
  });
});
