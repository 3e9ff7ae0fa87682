import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CloudFormation } from '@aws-sdk/client-cloudformation';
import * as P from '@aws-sdk/client-proton';
import {
  requireOrSkip,
  startTestServer,
  TEST_ROOT_KEY,
  type TestServer,
} from '@nucleon/test-utils';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import {
  findExecutable,
  startMotoServer,
  type MotoServer,
} from '../../server/test/engines/helpers.js';
import { sdkClient } from '../../server/test/helpers.js';
import {
  COMPONENT_TEMPLATE,
  FARGATE,
  FARGATE_SPECS,
  REPOSITORY,
  createFargateEstate,
  eventsOf,
  outputsOf,
  publishFargateTemplates,
  type ProtonStacks,
} from '../../server/test/proton-import-fixtures.js';

/**
 * The console's import wizard (ADR 0030) in Chromium: the Fargate estate Proton left in
 * moto_server (the fixtures of the CLI's import test) is discovered, matched and adopted
 * through the UI; the adopted resources are then seen through the Proton API, and moto's stack
 * events prove no stack was created, updated or deleted.
 */

const CHROMIUM = '/usr/bin/chromium';
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const results = here('../test-results/');
const distIndex = here('../dist/index.html');
const available = requireOrSkip(
  !existsSync(CHROMIUM)
    ? `${CHROMIUM} is missing: install Debian's Chromium with \`apt-get install -y chromium\` to run the browser tests`
    : !findExecutable('moto_server')
      ? 'moto_server (Python moto) is not installed'
      : undefined,
);

describe.skipIf(!available)('the console imports what AWS Proton left behind (Chromium)', () => {
  let moto: MotoServer;
  let server: TestServer;
  let browser: Browser;
  let cfn: CloudFormation;
  const stacks: ProtonStacks = {};
  const saved = { ...process.env };
  const problems: string[] = [];

  beforeAll(async () => {
    if (!existsSync(distIndex))
      throw new Error(`The console is not built (${distIndex} is missing): run \`npm run build\`.`);
    mkdirSync(results, { recursive: true });
    moto = await startMotoServer(findExecutable('moto_server')!);
    // Nucleon (in this process) reads AWS through the SDK's chain: moto_server.
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_CLOUDFORMATION: moto.endpoint,
      AWS_ENDPOINT_URL_STS: moto.endpoint,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_REGION: 'us-east-1',
    });
    cfn = new CloudFormation({
      region: 'us-east-1',
      endpoint: moto.endpoint,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    server = await startTestServer({
      dialect: 'pglite',
      env: { NUCLEON_CFN_POLL_MS: '100', NUCLEON_S3_FORCE_PATH_STYLE: 'true' },
    });
    await publishFargateTemplates(server);
    await createFargateEstate(cfn, stacks);
    for (const name of Object.keys(stacks)) stacks[name]!.events = await eventsOf(cfn, name);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
    });
  }, 600_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await moto?.stop();
    process.env = saved;
  });

  /** Rewrites a resource's spec YAML in the wizard: `change` gets the parsed fields. */
  const editSpec = async (page: Page, label: string, change: Record<string, unknown>) => {
    const box = page.getByLabel(`Spec of ${label}`);
    const doc = parse(await box.inputValue()) as Record<string, unknown>;
    await box.fill(stringify({ ...doc, ...change }, { lineWidth: 0 }));
  };
  // Matching renders on the server: allow for a loaded machine.
  const poll = <T>(fn: () => Promise<T>) => expect.poll(fn, { timeout: 60_000, interval: 250 });
  const verdict = (page: Page, label: string) =>
    page.getByRole('article', { name: label }).getAttribute('data-verdict');

  it('discovers, matches and adopts the Fargate estate; the Proton API sees it, no stack changed', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await page.goto(server.url);
    await page.getByLabel('Access key ID').fill(TEST_ROOT_KEY.accessKeyId);
    await page.getByLabel('Secret access key').fill(TEST_ROOT_KEY.secretAccessKey);
    await page.getByLabel('Secret access key').press('Enter');
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Import' })
      .click();
    await page.getByRole('heading', { level: 1, name: 'Import from AWS Proton' }).waitFor();

    // 1. Discover, in Nucleon's region: the inventory, with each stack's template version.
    await page.getByRole('button', { name: 'Discover' }).click();
    const inventory = page.getByRole('table', { name: 'Inventory' });
    await inventory.waitFor();
    const rows = await inventory.locator('tbody tr').allTextContents();
    expect(rows).toHaveLength(5);
    expect(rows[0]).toContain('environment');
    expect(rows[0]).toContain('fargate-env:1.0');
    expect(rows[0]).toContain(FARGATE.environment);
    expect(rows.filter((r) => r.includes('fargate-svc:1.0'))).toHaveLength(3);
    expect(rows[4]).toContain('frontend-cache');
    // Inputs exposed as stack parameters are filled in from the stacks.
    expect(await page.getByLabel('Spec of environment prod').inputValue()).toContain(
      'vpc_cidr: 10.3.0.0/16',
    );

    // 2. Match with the starter spec: prod's subnets are at the template's defaults, so its
    // stack differs, with the diff shown; it cannot be selected before accepting differences.
    await page.getByRole('button', { name: 'Match', exact: true }).click();
    await poll(() => verdict(page, 'environment prod')).toBe('differs');
    await poll(() =>
      page.getByLabel('Differences of environment prod environment').textContent(),
    ).toContain('10.3.1.0/24');
    expect(await page.getByLabel('Adopt environment prod').isDisabled()).toBe(true);
    expect(await page.getByLabel('Accept differences of environment prod').isVisible()).toBe(true);
    // A service matches once its environment is adopted.
    expect(await verdict(page, 'service frontend')).toBe('unmatched');
    expect(await page.getByRole('article', { name: 'service frontend' }).textContent()).toContain(
      'environment prod does not exist',
    );

    // The user completes the specs with what Proton deployed, and matches again.
    await editSpec(page, 'environment prod', { spec: stringify(FARGATE_SPECS.prod) });
    await editSpec(page, 'service frontend', {
      spec: stringify(FARGATE_SPECS.frontend),
      ...REPOSITORY,
    });
    await editSpec(page, 'component frontend-cache', { templateFile: COMPONENT_TEMPLATE });
    await page.getByRole('button', { name: 'Match again' }).click();
    await poll(() => verdict(page, 'environment prod')).toBe('identical');
    expect(await page.getByLabel('Adopt environment prod').isChecked()).toBe(true);

    // 3. Adopt: prod, then frontend (with its pipeline), then its component, in that order.
    await page.getByLabel('Adopt service frontend').check();
    await page.getByLabel('Adopt component frontend-cache').check();
    await page.getByRole('button', { name: 'Adopt 3 selected' }).click();
    const adopted = page.getByRole('table', { name: 'Adoption results' });
    await adopted.waitFor();
    const outcome = await adopted.locator('tbody tr').allTextContents();
    expect(outcome.map((r) => r.replace(/adopted from.*$/, ''))).toEqual([
      'environment prodyesenvironment: ',
      'service frontendyesinstance/one: ',
      'component frontend-cacheyescomponent: ',
    ]);
    await page.getByRole('heading', { level: 2, name: '3. Adopt' }).scrollIntoViewIfNeeded();
    const shot = join(results, 'console-import.png');
    await page.screenshot({ path: shot, fullPage: true });
    copyFileSync(shot, here('../../../docs/images/console-import.png'));
    expect(problems).toEqual([]);
    await context.close();

    // The Proton API sees the adopted estate, with the stacks' outputs.
    const proton = sdkClient(server);
    const env = (await proton.send(new P.GetEnvironmentCommand({ name: 'prod' }))).environment!;
    expect(env).toMatchObject({ deploymentStatus: 'SUCCEEDED', templateName: 'fargate-env' });
    const envOutputs = (
      await proton.send(new P.ListEnvironmentOutputsCommand({ environmentName: 'prod' }))
    ).outputs!;
    expect(Object.fromEntries(envOutputs.map((o) => [o.key, o.valueString]))).toEqual(
      await outputsOf(cfn, FARGATE.environment),
    );
    const instances = (
      await proton.send(new P.ListServiceInstancesCommand({ serviceName: 'frontend' }))
    ).serviceInstances!;
    expect(instances.map((i) => [i.name, i.deploymentStatus])).toEqual([
      ['one', 'SUCCEEDED'],
      ['two', 'SUCCEEDED'],
    ]);
    const service = (await proton.send(new P.GetServiceCommand({ name: 'frontend' }))).service!;
    expect(service).toMatchObject({ status: 'ACTIVE', ...REPOSITORY });
    expect(service.pipeline?.deploymentStatus).toBe('SUCCEEDED');
    const components = (await proton.send(new P.ListComponentsCommand({}))).components!;
    expect(components.map((c) => [c.name, c.serviceInstanceName])).toEqual([
      ['frontend-cache', 'one'],
    ]);
    // Nothing was created, updated or deleted in CloudFormation.
    const all = (await cfn.describeStacks({})).Stacks!;
    expect(all.map((s) => s.StackId).sort()).toEqual(
      Object.values(stacks)
        .map((s) => s.id)
        .sort(),
    );
    for (const [name, s] of Object.entries(stacks))
      expect(await eventsOf(cfn, name)).toBe(s.events);
  }, 600_000);
});
