import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  UpdateServiceInstanceCommand,
  waitUntilServiceInstanceDeployed,
} from '@aws-sdk/client-proton';
import { requireOrSkip, startTestServer, type TestServer } from '@nucleon/test-utils';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdkClient } from '../../server/test/helpers.js';
import {
  createFleet,
  publishEnvMinor,
  publishMinor,
  w,
} from '../../server/test/rollout-fixtures.js';
import {
  chromiumAvailable,
  coloursOf,
  diffLines,
  heading,
  here,
  launchChromium,
  motoMissing,
  navTo,
  newPage,
  poll,
  results,
  signInAsRoot,
  startMoto,
  textOf,
} from './browser-helpers.js';

const available = chromiumAvailable();

/**
 * Version currency and the impact preview in the console, against one server: a CodeBuild fleet
 * (web-svc: app-dev and app-prod on 1.0, 1.1 published) and, with moto_server, a CloudFormation
 * fleet (cfn-preview: orders-dev on 1.0, 1.1 adds a topic and removes a DynamoDB table).
 */
describe.skipIf(!available)('the console’s currency and preview pages (Chromium)', () => {
  const moto = requireOrSkip(motoMissing());
  let cloud: Awaited<ReturnType<typeof startMoto>> | undefined;
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    if (moto) cloud = await startMoto();
    server = await startTestServer({ dialect: 'pglite', env: { NUCLEON_CFN_POLL_MS: '100' } });
    await createFleet(server, 'web-svc', ['app'], {}, ['dev', 'prod']);
    await publishMinor(server, 'web-svc', 'svc-rollout-1_1');
    if (moto) {
      await createFleet(server, 'cfn-preview', ['orders'], {}, ['dev'], 'svc-cfn-preview-1_0');
      await publishMinor(server, 'cfn-preview', 'svc-cfn-preview-1_1');
    }
    browser = await launchChromium();
    page = await newPage(browser, problems);
    await signInAsRoot(page, server);
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    cloud?.stop();
  });

  it('shows each template × version with how far behind it is, and links to a preview of the newest version', async () => {
    await navTo(page, 'Main', 'Fleet');
    await heading(page, 'Rollouts');
    await navTo(page, 'Fleet', 'Currency');
    await heading(page, 'Version currency');
    const row = page.locator('tr[data-template="web-svc"][data-version="1.0"]');
    await textOf(row).toContain('2 service instances');
    const cells = await row.locator('td').allTextContents();
    expect(cells.slice(1, 5)).toEqual(['1.0', '2 service instances', '1.1', '1 minor behind']);
    expect(cells[5]).toMatch(/ago|now/);

    await row.getByRole('link', { name: 'Preview moving web-svc 1.0 to 1.1' }).click();
    await heading(page, 'Preview');
    expect(await page.locator('#preview-template').inputValue()).toBe('SERVICE:web-svc');
    await poll(() => page.locator('#preview-version').inputValue()).toBe('1.1');
  });

  it('previews a CodeBuild version for one environment with coloured diffs, refuses a stale preview, starts a rollout bound to a fresh one, then pauses, resumes and aborts it', async () => {
    await page.getByLabel('Environments').fill('dev');
    await page.getByRole('button', { name: 'Run preview' }).click();
    const card = page.locator('article[data-instance="app/app-dev"]');
    await card.waitFor();
    // The selector took app-dev only.
    expect(await page.locator('article.preview-resource').count()).toBe(1);
    await textOf(card.locator('h3')).toContain('in dev · codebuild · 1.0 → 1.1');
    const inputs = card.getByRole('table', { name: 'Input changes of app/app-dev' });
    expect(await inputs.locator('tbody tr').allTextContents()).toEqual(['replicasnot set2']);
    const diff = card.getByLabel('Diff of instance_infrastructure/manifest.yaml for app/app-dev');
    await diff.waitFor();
    expect(await diffLines(diff, 'remove')).toContain('-          - node provision.js 1.0');
    expect(await diffLines(diff, 'add')).toContain('+          - node provision.js 1.1');
    const added = diff.locator('.diff-add', { hasText: 'node provision.js 1.1' });
    // Added lines are green, removed ones red (and keep their +/-).
    expect(await coloursOf(added)).toEqual({
      color: 'rgb(23, 105, 58)',
      background: 'rgb(227, 244, 232)',
    });
    expect(await coloursOf(diff.locator('.diff-remove').first())).toEqual({
      color: 'rgb(179, 38, 30)',
      background: 'rgb(251, 231, 229)',
    });
    const facts = page.locator('main .facts');
    const hashShown = async () =>
      /sha256:[0-9a-f]{64}/.exec((await facts.textContent()) ?? '')?.[0];
    const hash = await hashShown();
    expect(hash).toBeDefined();
    await textOf(facts).toContain('environments dev');

    // app-dev is redeployed with other inputs after the preview: the preview is stale.
    const proton = sdkClient(server);
    await proton.send(
      new UpdateServiceInstanceCommand({
        serviceName: 'app',
        name: 'app-dev',
        deploymentType: 'CURRENT_VERSION',
        spec: 'proton: ServiceSpec\ninstances:\n  - name: app-dev\n    environment: dev\n    spec:\n      fail_on: never\n  - name: app-prod\n    environment: prod\n    spec:\n      fail_on: none\n',
      }),
    );
    await waitUntilServiceInstanceDeployed(w(proton), { serviceName: 'app', name: 'app-dev' });
    await page.getByLabel('Waves').fill('1');
    await page.getByLabel('Bake (seconds)').fill('0');
    await page.getByRole('button', { name: 'Start rollout with this preview' }).click();
    const refused = page.getByRole('alert').filter({ hasText: 'The rollout did not start' });
    await textOf(refused).toContain('ConflictException');
    await textOf(refused).toContain(`The preview ${hash!} is stale`);
    // The browser logs the refused call; nothing else went wrong.
    expect(problems).toEqual([
      'console: Failed to load resource: the server responded with a status of 409 (Conflict)',
    ]);
    problems.length = 0;

    // Previewed again: another hash, and the rollout starts bound to it.
    await page.getByRole('button', { name: 'Run preview' }).click();
    await poll(hashShown).not.toBe(hash);
    const fresh = await hashShown();
    await page.getByLabel('Waves').fill('1');
    // A long bake keeps the rollout running while it is paused, resumed and aborted below.
    await page.getByLabel('Bake (seconds)').fill('600');
    await page.getByRole('button', { name: 'Start rollout with this preview' }).click();
    await heading(page, 'web-svc → 1.1');
    expect(page.url()).toMatch(/\/rollouts\/[^/]+$/);
    await textOf(page.locator('main .facts')).toContain(fresh!);
    const waves = page.getByRole('list', { name: 'Waves' }).locator(':scope > li');
    await poll(() => waves.count()).toBe(1);
    await textOf(waves.first(), 180_000).toMatch(/app\/app-dev.*succeeded/s);
    expect(await waves.first().textContent()).not.toContain('app-prod');
    const status = page.locator('.page-header .subtitle');
    await textOf(status).toBe('in progress');
    await page.getByRole('button', { name: 'Pause' }).click();
    await textOf(status).toBe('paused');
    await page.getByRole('button', { name: 'Resume' }).click();
    await textOf(status).toBe('in progress');
    await page.getByRole('button', { name: 'Abort' }).click();
    await page
      .getByRole('dialog', { name: 'Abort this rollout?' })
      .getByRole('button', { name: 'Abort rollout' })
      .click();
    await textOf(status).toBe('aborted');
    expect(await page.getByRole('button', { name: /^(Pause|Resume|Abort)$/ }).count()).toBe(0);
    expect(problems).toEqual([]);
  }, 300_000);

  it.skipIf(!moto)(
    'previews a CloudFormation version: the change set’s adds, modifications and removals, and the table whose data would be lost',
    async () => {
      await page.goto(`${server.url}/preview?template=cfn-preview&to=1.1`);
      await heading(page, 'Preview');
      await poll(() => page.locator('#preview-version').inputValue()).toBe('1.1');
      await page.getByRole('button', { name: 'Run preview' }).click();
      const card = page.locator('article[data-instance="orders/orders-dev"]');
      await card.waitFor({ timeout: 120_000 });
      await textOf(card.getByRole('alert', { name: 'Data at risk' })).toContain(
        'Sessions (AWS::DynamoDB::Table) would be removed: its data would be lost',
      );
      const summary = await card
        .getByLabel('Change set summary of orders/orders-dev')
        .textContent();
      expect(summary).toContain('1 add');
      expect(summary).toContain('1 removal');
      const changes = card.getByRole('table', { name: 'Stack changes of orders/orders-dev' });
      const rowOf = (id: string) => changes.locator('tbody tr', { hasText: id });
      expect(await rowOf('Topic').getAttribute('data-action')).toBe('Add');
      expect(await rowOf('Sessions').getAttribute('data-action')).toBe('Remove');
      expect(await rowOf('Sessions').textContent()).toContain('would be lost');
      expect(await rowOf('Queue').getAttribute('data-action')).toBe('Modify');
      const diff = card.getByLabel('Diff of cloudformation.yaml for orders/orders-dev');
      expect(await diffLines(diff, 'add')).toContain('+  Topic:');
      expect(await diffLines(diff, 'remove')).toContain('-  Sessions:');
      await textOf(page.locator('main .facts')).toContain('1 stateful change(s)');
      const shot = join(results, 'console-preview.png');
      await page.screenshot({ path: shot, fullPage: true });
      copyFileSync(shot, here('../../../docs/images/console-preview.png'));
      expect(problems).toEqual([]);
    },
    300_000,
  );

  it('previews an environment template: currency links to it, and each environment shows its input changes and diffs', async () => {
    await publishEnvMinor(server, 'rollout-env', 'env-fleet-1_1');
    await page.goto(`${server.url}/currency`);
    await heading(page, 'Version currency');
    const row = page.locator('tr[data-template="rollout-env"][data-version="1.0"]');
    // Environments get a preview link too (the newest version may be another test's 2.0).
    await row.getByRole('link', { name: /^Preview moving rollout-env 1\.0 to / }).waitFor();
    await page.goto(`${server.url}/preview?template=rollout-env&to=1.1&kind=environment`);
    await heading(page, 'Preview');
    expect(await page.locator('#preview-template').inputValue()).toBe('ENVIRONMENT:rollout-env');
    await poll(() => page.locator('#preview-version').inputValue()).toBe('1.1');
    await page.getByRole('button', { name: 'Run preview' }).click();
    const card = page.locator('article[data-instance="prod"]');
    await card.waitFor();
    expect(await page.locator('article.preview-resource').count()).toBe(2);
    await textOf(card.locator('h3')).toContain('in prod · codebuild · 1.0 → 1.1');
    await textOf(card.getByRole('table', { name: 'Input changes of prod' })).toContain('fail_on');
    const diff = card.getByLabel('Diff of infrastructure/manifest.yaml for prod');
    expect(await diffLines(diff, 'add')).toContain('+          - node provision.js 1.1');
    expect(problems).toEqual([]);
  }, 300_000);
});
