import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  requireOrSkip,
  startTestServer,
  TEST_ROOT_KEY,
  type TestServer,
} from '@nucleon/test-utils';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CHROMIUM = '/usr/bin/chromium';
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const fixtures = here('../../server/test/fixtures/bundles/');
const results = here('../test-results/');
const docsImages = here('../../../docs/images/');
const distIndex = here('../dist/index.html');

function missingTool(): string | undefined {
  if (!existsSync(CHROMIUM))
    return `${CHROMIUM} is missing: install Debian's Chromium with \`apt-get install -y chromium\` to run the browser tests`;
  if (spawnSync('aws', ['--version']).status !== 0)
    return 'the AWS CLI is missing (the env-codebuild bundle reports an output with it)';
  return undefined;
}

const available = requireOrSkip(missingTool());

describe.skipIf(!available)('the web console in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let bundles: string;
  const problems: string[] = [];
  /** `afterEventId` of every GetDeploymentDetails call the page made (the log's polling). */
  const logPolls: number[] = [];

  const shot = async (name: string, copyToDocs?: string) => {
    const path = join(results, `${name}.png`);
    await page.screenshot({ path, fullPage: true });
    // The committed copies in docs/images are written when missing, or refreshed on request
    // (UPDATE_DOCS_SCREENSHOTS=1), so that a test run does not dirty the tree.
    if (
      copyToDocs &&
      (!existsSync(join(docsImages, copyToDocs)) || process.env.UPDATE_DOCS_SCREENSHOTS === '1')
    ) {
      mkdirSync(docsImages, { recursive: true });
      copyFileSync(path, join(docsImages, copyToDocs));
    }
  };
  const nav = (label: string) =>
    page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label }).click();
  // playwright-core has no web-first assertions: poll with Vitest's instead.
  const poll = <T>(read: () => Promise<T>, timeout = 20_000) =>
    expect.poll(read, { timeout, interval: 200 });
  const visible = (locator: Locator, timeout = 20_000) =>
    locator.first().waitFor({ state: 'visible', timeout });
  const textOf = (locator: Locator, timeout?: number) =>
    poll(async () => (await locator.textContent()) ?? '', timeout);
  const valueOf = (locator: Locator) => poll(() => locator.inputValue());
  const heading = (text: string) => textOf(page.getByRole('heading', { level: 1 })).toBe(text);

  beforeAll(async () => {
    if (!existsSync(distIndex))
      throw new Error(
        `The console is not built (${distIndex} is missing): run \`npm run build -w @nucleon/console\` first.`,
      );
    mkdirSync(results, { recursive: true });
    bundles = mkdtempSync(join(tmpdir(), 'nucleon-console-bundles-'));
    for (const name of ['env-codebuild', 'svc-codebuild'])
      execFileSync('tar', [
        '-czf',
        join(bundles, `${name}.tar.gz`),
        '-C',
        join(fixtures, name),
        '.',
      ]);
    server = await startTestServer({ dialect: 'pglite' });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.setDefaultTimeout(20_000);
    page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('request', (r) => {
      const body = r.url().endsWith('/console/api/call')
        ? (r.postDataJSON() as { target: string; input: { afterEventId?: number } })
        : undefined;
      if (body?.target.endsWith('.GetDeploymentDetails'))
        logPolls.push(body.input.afterEventId ?? 0);
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (bundles) rmSync(bundles, { recursive: true, force: true });
  });

  it('signs in with an access key; the browser keeps only an HttpOnly session cookie', async () => {
    await page.goto(server.url);
    await page.getByLabel('Access key ID').fill(TEST_ROOT_KEY.accessKeyId);
    await page.getByLabel('Secret access key').fill(TEST_ROOT_KEY.secretAccessKey);
    await shot('sign-in');
    await page.getByLabel('Secret access key').press('Enter');
    await heading('Dashboard');
    await visible(page.getByRole('heading', { name: 'Get started' }));
    const cookies = await page.context().cookies();
    expect(cookies).toEqual([
      expect.objectContaining({ name: 'nucleon_session', httpOnly: true, sameSite: 'Strict' }),
    ]);
    const stored = await page.evaluate<string>(
      'JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie',
    );
    expect(stored).not.toContain(TEST_ROOT_KEY.secretAccessKey);
    await shot('dashboard-empty');
  });

  it('registers the env-codebuild bundle through the upload form and publishes it', async () => {
    await nav('Templates');
    await page.getByRole('button', { name: 'New template' }).click();
    await page.getByLabel('Name (required)').fill('cb-env');
    await page.getByLabel('Display name').fill('CodeBuild environment');
    await page.getByRole('button', { name: 'Create template' }).click();
    await heading('CodeBuild environment');
    await page.getByRole('button', { name: 'Register a new version' }).click();
    await page.setInputFiles('#bundle-file', join(bundles, 'env-codebuild.tar.gz'));
    await page.getByLabel('Description').fill('first version');
    await page.getByRole('button', { name: 'Upload and register' }).click();
    const row = page.locator('tr[data-version="1.0"]');
    await visible(row.locator('[data-status="DRAFT"]'), 30_000);
    await row.getByRole('button', { name: 'Publish 1.0' }).click();
    await visible(row.locator('[data-status="PUBLISHED"]'));
    await visible(row.getByText('recommended'));
    const reference = page.locator('.schema-reference');
    await visible(reference.getByRole('heading', { name: /Environment inputs/ }));
    await textOf(reference.locator('tr', { hasText: 'greeting' })).toContain('"hello"');
    await shot('template');
  });

  it('creates an environment from a form generated from the schema, with the YAML in step', async () => {
    await page.getByRole('button', { name: 'Create an environment from 1.0' }).click();
    await heading('Create environment');
    const greeting = page.locator('#env-input-greeting');
    await valueOf(greeting).toBe('hello');
    expect(await page.getByLabel('fail', { exact: true }).isChecked()).toBe(false);
    const yaml = page.getByLabel('Spec (YAML)');
    await valueOf(yaml).toMatch(/proton: EnvironmentSpec\nspec:\n {2}greeting: hello/);
    await yaml.fill('proton: EnvironmentSpec\nspec:\n  greeting: salut\n  fail: false\n');
    await valueOf(greeting).toBe('salut');
    await greeting.fill('bonjour');
    await valueOf(yaml).toMatch(/greeting: bonjour/);
    await page.getByRole('button', { name: 'Create environment' }).click();
    await textOf(page.locator('#environment-name-error')).toBe('A name is required.');
    await page.getByLabel('Name (required)').fill('dev');
    await page.getByLabel('Description').fill('the development environment');
    await shot('create-environment');
    await page.getByRole('button', { name: 'Create environment' }).click();
    await heading('dev');
  });

  it("streams the environment's deployment log until it succeeds, then shows its outputs and rendered files", async () => {
    const log = page.getByRole('log');
    await textOf(log, 60_000).toContain('provisioning dev at stage test');
    await visible(page.locator('.deployment-log [data-status="SUCCEEDED"]'), 60_000);
    await textOf(log).toContain('wrote outputs');
    // The page asked only for the lines after the last one it had, while the deployment ran.
    expect(logPolls, JSON.stringify(logPolls)).toSatisfy((polls: number[]) =>
      polls.some((after) => after > 0),
    );
    const outputs = page.getByRole('table', { name: 'Outputs' });
    await textOf(outputs).toContain('cluster-dev');
    await textOf(outputs).toContain('bonjour');
    await textOf(outputs).toContain('aws-cli');
    await textOf(page.getByRole('table', { name: 'Inputs' })).toContain('bonjour');
    await page.locator('.rendered-file summary', { hasText: 'proton-inputs.json' }).click();
    await textOf(page.locator('.rendered-file pre').first()).toContain('"greeting": "bonjour"');
    await shot('environment');
  });

  it('redeploys the environment with new inputs from the update panel', async () => {
    await page.getByRole('button', { name: 'Update' }).click();
    await page.getByRole('radio', { name: /Redeploy on the current version/ }).waitFor();
    expect(await page.getByRole('radio', { name: /latest major/ }).isDisabled()).toBe(true);
    const greeting = page.locator('#update-input-greeting');
    await valueOf(greeting).toBe('bonjour');
    await greeting.fill('hola');
    await page.getByRole('button', { name: 'Deploy 1.0' }).click();
    await poll(() => page.locator('table.deployments tbody tr').count()).toBe(2);
    await visible(page.locator('.deployment-log [data-status="SUCCEEDED"]'), 60_000);
    await textOf(page.getByRole('table', { name: 'Outputs' }), 30_000).toContain('hola');
  });

  it('registers a service template without a pipeline and creates a service on the environment', async () => {
    await nav('Templates');
    await page.getByRole('button', { name: 'New template' }).click();
    await page.getByRole('radio', { name: 'Service template' }).check();
    await page.getByLabel('Name (required)').fill('cb-svc');
    await page.getByLabel('No pipeline').check();
    await page.getByRole('button', { name: 'Create template' }).click();
    await heading('cb-svc');
    await page.getByRole('button', { name: 'Register a new version' }).click();
    await page.setInputFiles('#bundle-file', join(bundles, 'svc-codebuild.tar.gz'));
    await page.getByRole('checkbox', { name: 'cb-env' }).check();
    await page.getByRole('button', { name: 'Upload and register' }).click();
    const row = page.locator('tr[data-version="1.0"]');
    await visible(row.locator('[data-status="DRAFT"]'), 30_000);
    await row.getByRole('button', { name: 'Publish 1.0' }).click();
    await visible(row.locator('[data-status="PUBLISHED"]'));

    await page.getByRole('button', { name: 'Create a service from 1.0' }).click();
    await heading('Create service');
    await visible(page.getByText('Excludes pipeline.'));
    await page.getByLabel('Name (required)', { exact: true }).fill('web');
    const instance = page.locator('fieldset[data-instance="0"]');
    await instance.getByLabel('Instance name (required)').fill('web-a');
    await valueOf(instance.getByLabel('Environment')).toBe('dev');
    const port = instance.locator('input[name="port"]');
    await port.fill('80x');
    await visible(instance.locator('.field-error', { hasText: 'Enter a number.' }));
    await port.fill('8080');
    await poll(() => instance.locator('.field-error', { hasText: 'Enter a number.' }).count()).toBe(
      0,
    );
    await instance.locator('input[name="message"]').fill('hello from the console');
    await valueOf(page.getByLabel('Spec (YAML)')).toMatch(
      /instances:\n {2}- name: web-a\n {4}environment: dev\n {4}spec:\n {6}port: 8080/,
    );
    await shot('create-service');
    await page.getByRole('button', { name: 'Create service' }).click();
    await heading('web');
    await visible(page.locator('.facts [data-status="ACTIVE"]'), 60_000);
    await textOf(page.getByRole('log')).toContain('instance web-a ready');
    await visible(
      page.locator('tr', { hasText: 'web-a' }).locator('[data-status="SUCCEEDED"]').first(),
    );
    await shot('service', 'console-service.png');

    await page.getByRole('link', { name: 'web-a' }).first().click();
    await heading('web-a');
    await textOf(page.getByRole('table', { name: 'Outputs' })).toContain('http://localhost:8080');
    await textOf(page.getByRole('table', { name: 'Outputs' })).toContain('hello from the console');
    await shot('instance');
  });

  it('shows the dashboard: counts per kind and a sortable table of instances with versions', async () => {
    await nav('Dashboard');
    await heading('Dashboard');
    const environments = page.locator('.count-card[data-kind="Environments"]');
    await textOf(environments.locator('.count-total')).toBe('1');
    await textOf(page.locator('.count-card[data-kind="Service instances"] .count-total')).toBe('1');
    const table = page.locator('table').first();
    await textOf(table).toContain('web-a');
    await textOf(table).toContain('1.0');
    await table.getByRole('button', { name: /Instance/ }).click();
    await textOf(table.locator('th[aria-sort="ascending"]')).toContain('Instance');
    await shot('dashboard', 'console-dashboard.png');
  });

  it('cancels a running instance deployment from its page', async () => {
    await nav('Dashboard');
    await page.getByRole('link', { name: 'web-a' }).click();
    await heading('web-a');
    await page.getByRole('button', { name: 'Update' }).click();
    await page.locator('#update-input-sleep_seconds').fill('60');
    await page.getByRole('button', { name: 'Deploy 1.0' }).click();
    await page.getByRole('button', { name: 'Cancel deployment' }).click();
    await visible(page.locator('.deployment-log [data-status="CANCELLED"]'), 30_000);
    await textOf(page.locator('.facts').first()).toContain('User initiated cancellation.');
  });

  it('registers and publishes a minor version 1.1 of the service template; the dashboard shows the instance behind', async () => {
    await nav('Templates');
    await page.getByRole('link', { name: 'cb-svc' }).click();
    await heading('cb-svc');
    await page.getByRole('button', { name: 'Register a new version' }).click();
    await page.setInputFiles('#bundle-file', join(bundles, 'svc-codebuild.tar.gz'));
    await page.locator('#version-major').selectOption('1');
    await page.getByLabel('Description').fill('second minor');
    await page.getByRole('checkbox', { name: 'cb-env' }).check();
    await page.getByRole('button', { name: 'Upload and register' }).click();
    const row = page.locator('tr[data-version="1.1"]');
    await visible(row.locator('[data-status="DRAFT"]'), 30_000);
    await row.getByRole('button', { name: 'Publish 1.1' }).click();
    await visible(row.locator('[data-status="PUBLISHED"]'));
    await visible(row.getByText('recommended'));

    await nav('Dashboard');
    const card = page.locator('.count-card[data-kind="Service instances"]');
    await textOf(card.locator('.count-rows div', { hasText: 'Behind minor' }).locator('dd')).toBe(
      '1',
    );
    await textOf(page.locator('tr', { hasText: 'web-a' })).toContain('1.0 → 1.1 available');
  });

  it('updates the instance to the new minor version from its page', async () => {
    await page.getByRole('link', { name: 'web-a' }).click();
    await heading('web-a');
    await page.getByRole('button', { name: 'Update' }).click();
    const minor = page.getByRole('radio', { name: /latest minor version/ });
    await textOf(page.locator('label[data-deployment-type="MINOR_VERSION"]')).toContain(
      '(1.0 → 1.1) — second minor',
    );
    expect(await minor.isDisabled()).toBe(false);
    await minor.check();
    await page.locator('#update-input-sleep_seconds').fill('0');
    await shot('update-minor');
    await page.getByRole('button', { name: 'Deploy 1.1' }).click();
    await poll(() => page.locator('table.deployments tbody tr').count()).toBe(3);
    await visible(page.locator('.deployment-log [data-status="SUCCEEDED"]'), 60_000);
    await textOf(page.getByRole('log')).toContain('instance web-a ready');
    await textOf(page.locator('.facts').first(), 30_000).toContain('cb-svc 1.1');
    await shot('instance-updated-minor');
    await nav('Dashboard');
    await poll(
      async () => (await page.locator('tr', { hasText: 'web-a' }).textContent()) ?? '',
    ).not.toContain('available');
  });

  it('draws the environment: the environment, its service and instance, with status and version, as keyboard links', async () => {
    await nav('Environments');
    await page.getByRole('link', { name: 'Graph of dev' }).click();
    await heading('Graph of dev');
    const graph = page.getByRole('group', { name: 'Graph of environment dev' });
    const envNode = graph.getByRole('link', { name: /^Environment dev, succeeded, cb-env 1\.0/ });
    const serviceNode = graph.getByRole('link', { name: /^Service web, active, template cb-svc/ });
    const instanceNode = graph.getByRole('link', {
      name: /^Service instance web-a, succeeded, of service web, cb-svc 1\.1$/,
    });
    for (const node of [envNode, serviceNode, instanceNode]) await visible(node);
    await textOf(graph.locator('[data-node="instance:web/web-a"]')).toContain('1.1');
    expect(
      await graph.locator('[data-node="instance:web/web-a"]').getAttribute('data-status'),
    ).toBe('SUCCEEDED');
    expect(await graph.locator('.graph-edge').count()).toBe(2);
    await shot('environment-graph', 'console-environment-graph.png');

    // Every box is a link one can reach and follow with the keyboard.
    const focused = () =>
      page.evaluate<string | null>("document.activeElement?.getAttribute('data-node') ?? null");
    await serviceNode.focus();
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('instance:web/web-a');
    await page.keyboard.press('Enter');
    await heading('web-a');
    await page.goBack();
    await heading('Graph of dev');
    await graph.getByRole('link', { name: /^Service web/ }).click();
    await heading('web');

    // The environment page draws the same graph.
    await nav('Environments');
    await page.getByRole('link', { name: 'dev', exact: true }).click();
    await heading('dev');
    await visible(
      page.locator('.env-graph [data-node="instance:web/web-a"][data-status="SUCCEEDED"]'),
    );
  });

  it('deletes the service after a typed confirmation', async () => {
    await nav('Services');
    await page.getByRole('link', { name: 'web', exact: true }).click();
    await heading('web');
    await page.getByRole('button', { name: 'Delete' }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.getByRole('button', { name: 'Delete service' }).isDisabled()).toBe(true);
    await dialog.getByLabel('Type web to confirm').fill('web');
    await dialog.getByRole('button', { name: 'Delete service' }).click();
    await visible(page.getByText('does not exist (any more)'), 60_000);
    await nav('Services');
    await visible(page.getByRole('heading', { name: 'No services yet' }));
  });

  it('logged no console errors and no page errors on the way', () => {
    expect(problems).toEqual([]);
  });
});
