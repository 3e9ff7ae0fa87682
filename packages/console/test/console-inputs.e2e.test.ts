import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateEnvironmentCommand,
  CreateEnvironmentTemplateCommand,
  CreateEnvironmentTemplateVersionCommand,
  CreateServiceCommand,
  CreateServiceTemplateCommand,
  CreateServiceTemplateVersionCommand,
  ProtonClient as SdkClient,
  UpdateEnvironmentTemplateVersionCommand,
  UpdateServiceInstanceCommand,
  UpdateServiceTemplateVersionCommand,
  waitUntilEnvironmentDeployed,
  waitUntilEnvironmentTemplateVersionRegistered,
  waitUntilServiceCreated,
  waitUntilServiceInstanceDeployed,
  waitUntilServiceTemplateVersionRegistered,
} from '@aws-sdk/client-proton';
import { ProtonClient, extensionTargetPrefix } from '@nucleon/protocol';
import {
  requireOrSkip,
  startTestServer,
  TEST_ROOT_KEY,
  type TestServer,
} from '@nucleon/test-utils';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CHROMIUM = '/usr/bin/chromium';
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const fixtures = here('../../server/test/fixtures/bundles/');
const distIndex = here('../dist/index.html');

const available = requireOrSkip(
  existsSync(CHROMIUM)
    ? undefined
    : `${CHROMIUM} is missing: install Debian's Chromium with \`apt-get install -y chromium\` to run the browser tests`,
);

/** An environment schema with the kinds of help text people tripped over. */
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
        fail:
          type: boolean
          default: false
        port_range_start:
          type: integer
          description: "First TCP port handed out to instances that ask for port 0"
          default: 18080
          minimum: 1024
          maximum: 65000
        state_root:
          type: string
          description: "Absolute folder holding the state"
          default: ""
          pattern: "^(/.*)?$"
        slug:
          type: string
          pattern: "^[a-z0-9-]+$"
`;

describe.skipIf(!available)('the console shows inputs as people read them (Chromium)', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let dir: string;

  const sdk = () =>
    new SdkClient({
      endpoint: server.url,
      region: server.region,
      credentials: server.credentials,
      maxAttempts: 1,
    });
  const push = async (folder: string, key: string) => {
    const client = new ProtonClient({
      endpoint: server.url,
      region: server.region,
      credentials: server.credentials,
    });
    const out = (await client.send(`${extensionTargetPrefix}.PutBundle`, {
      key,
      content: execFileSync('tar', ['-czf', '-', '-C', folder, '.']).toString('base64'),
    })) as { s3: { bucket: string; key: string } };
    return out.s3;
  };
  const w = () => ({ client: sdk(), maxWaitTime: 90, minDelay: 1, maxDelay: 1 });

  beforeAll(async () => {
    if (!existsSync(distIndex))
      throw new Error(
        `The console is not built (${distIndex} is missing): run \`npm run build -w @nucleon/console\` first.`,
      );
    dir = mkdtempSync(join(tmpdir(), 'nucleon-console-inputs-'));
    const envBundle = join(dir, 'env');
    cpSync(join(fixtures, 'env-codebuild'), envBundle, { recursive: true });
    mkdirSync(join(envBundle, 'schema'), { recursive: true });
    writeFileSync(join(envBundle, 'schema', 'schema.yaml'), ENV_SCHEMA);
    server = await startTestServer({ dialect: 'pglite' });
    const proton = sdk();
    await proton.send(new CreateEnvironmentTemplateCommand({ name: 'ui-env' }));
    await proton.send(
      new CreateEnvironmentTemplateVersionCommand({
        templateName: 'ui-env',
        source: { s3: await push(envBundle, 'ui-env.tar.gz') },
      }),
    );
    const envRef = { templateName: 'ui-env', majorVersion: '1', minorVersion: '0' };
    await waitUntilEnvironmentTemplateVersionRegistered(w(), envRef);
    await proton.send(
      new UpdateEnvironmentTemplateVersionCommand({ ...envRef, status: 'PUBLISHED' }),
    );
    await proton.send(
      new CreateServiceTemplateCommand({
        name: 'ui-svc',
        pipelineProvisioning: 'CUSTOMER_MANAGED',
      }),
    );
    await proton.send(
      new CreateServiceTemplateVersionCommand({
        templateName: 'ui-svc',
        source: { s3: await push(join(fixtures, 'svc-codebuild'), 'ui-svc.tar.gz') },
        compatibleEnvironmentTemplates: [{ templateName: 'ui-env', majorVersion: '1' }],
      }),
    );
    const svcRef = { templateName: 'ui-svc', majorVersion: '1', minorVersion: '0' };
    await waitUntilServiceTemplateVersionRegistered(w(), svcRef);
    await proton.send(new UpdateServiceTemplateVersionCommand({ ...svcRef, status: 'PUBLISHED' }));

    await proton.send(
      new CreateEnvironmentCommand({
        name: 'ui',
        templateName: 'ui-env',
        templateMajorVersion: '1',
        spec: 'proton: EnvironmentSpec\nspec: {}\n',
      }),
    );
    await waitUntilEnvironmentDeployed(w(), { name: 'ui' });
    await proton.send(
      new CreateServiceCommand({
        name: 'web',
        templateName: 'ui-svc',
        templateMajorVersion: '1',
        spec: 'proton: ServiceSpec\ninstances:\n  - name: one\n    environment: ui\n    spec:\n      message: hello-there\n',
      }),
    );
    await waitUntilServiceCreated(w(), { name: 'web' });
    // Keep the message, change the port: Proton's way of saying "the value it has now".
    await proton.send(
      new UpdateServiceInstanceCommand({
        serviceName: 'web',
        name: 'one',
        deploymentType: 'CURRENT_VERSION',
        spec: 'proton: ServiceSpec\ninstances:\n  - name: one\n    environment: ui\n    spec:\n      port: 9090\n      message: "${Proton::CURRENT_VAL}"\n',
      }),
    );
    await waitUntilServiceInstanceDeployed(w(), { serviceName: 'web', name: 'one' });

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-sync'],
    });
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(server.url);
    await page.getByLabel('Access key ID').fill(TEST_ROOT_KEY.accessKeyId);
    await page.getByLabel('Secret access key').fill(TEST_ROOT_KEY.secretAccessKey);
    await page.getByLabel('Secret access key').press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('shows the value an instance keeps, not ${Proton::CURRENT_VAL}', async () => {
    await page.goto(`${server.url}/services/web/instances/one`);
    const table = page.getByRole('table', { name: 'Inputs' });
    const row = (name: string) => table.getByRole('row').filter({ hasText: name });
    await expect
      .poll(async () => (await row('message').textContent()) ?? '', { timeout: 20_000 })
      .toBe('messagehello-there');
    expect(await row('port').textContent()).toBe('port9090');
    expect(await table.textContent()).not.toContain('CURRENT_VAL');
  });

  it('writes the form help as sentences, with no empty default and patterns in words', async () => {
    await page.goto(`${server.url}/create/environment?template=ui-env`);
    const hint = (name: string) => page.locator(`[id$="-${name}-hint"]`).first();
    await hint('port_range_start').waitFor();
    expect(await hint('port_range_start').textContent()).toBe(
      'First TCP port handed out to instances that ask for port 0. Allowed: between 1024 and 65000. Default: 18080',
    );
    expect(await hint('state_root').textContent()).toBe(
      'Absolute folder holding the state. Allowed: empty, or starting with “/”. Empty by default.',
    );
    expect(await hint('slug').textContent()).toBe(
      'Allowed: only lowercase letters, digits and “-”.',
    );
  });
});
