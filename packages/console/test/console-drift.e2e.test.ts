import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CloudFormationClient,
  GetTemplateCommand,
  ListStacksCommand,
  UpdateStackCommand,
} from '@aws-sdk/client-cloudformation';
import { extensionTargetPrefix } from '@nucleon/protocol';
import { requireOrSkip, startTestServer, type TestServer } from '@nucleon/test-utils';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nucleonClient } from '../../server/test/helpers.js';
import { createFleet } from '../../server/test/rollout-fixtures.js';
import {
  chromiumAvailable,
  diffLines,
  heading,
  here,
  launchChromium,
  links,
  motoMissing,
  navTo,
  newPage,
  results,
  signInAsRoot,
  signInWithPassword,
  startMoto,
  textOf,
} from './browser-helpers.js';

const VIEWER = { userName: 'viewer1', password: 'viewer1-console-password' };
const available = chromiumAvailable() && requireOrSkip(motoMissing());

/**
 * The drift page against moto_server: a CloudFormation service instance whose stack is edited
 * out of band. moto (5.2) has no DetectStackDrift, so the drift shown comes from the stack's
 * current template against the deployed one, and the page says detection is unavailable.
 */
describe.skipIf(!available)('the console’s drift page (Chromium, moto_server)', () => {
  let cloud: Awaited<ReturnType<typeof startMoto>>;
  let server: TestServer;
  let browser: Browser;
  let admin: Page;
  const problems: string[] = [];
  const source = (page: Page) => textOf(page.getByLabel('Report source'), 120_000);
  const checkNow = (page: Page) => page.getByRole('button', { name: 'Check now' }).click();

  beforeAll(async () => {
    cloud = await startMoto();
    server = await startTestServer({
      dialect: 'pglite',
      // A scheduled drift check every 3 seconds (ADR 0023).
      env: { NUCLEON_CFN_POLL_MS: '100', NUCLEON_DRIFT_INTERVAL_SECONDS: '3' },
    });
    await createFleet(server, 'drift-svc', ['orders'], {}, ['dev'], 'svc-cfn-preview-1_0');
    await nucleonClient(server).send(`${extensionTargetPrefix}.CreateUser`, {
      ...VIEWER,
      role: 'read-only',
    });
    browser = await launchChromium();
    admin = await newPage(browser, problems);
    await signInAsRoot(admin, server);
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    cloud?.stop();
  });

  it('opens on the last scheduled report, then shows a stack edited out of band as drifted with its diff', async () => {
    await navTo(admin, 'Main', 'Fleet');
    await navTo(admin, 'Fleet', 'Drift');
    await heading(admin, 'Drift');
    await source(admin).toMatch(/^Scheduled check .*: 0 of 2 resources drifted/);

    // Someone edits the stack behind Nucleon's back.
    const cfn = new CloudFormationClient({ endpoint: cloud.endpoint, region: 'us-east-1' });
    const stackName = (await cfn.send(new ListStacksCommand({}))).StackSummaries!.find(
      (s) => s.StackStatus !== 'DELETE_COMPLETE',
    )!.StackName!;
    const body = (await cfn.send(new GetTemplateCommand({ StackName: stackName }))).TemplateBody!;
    await cfn.send(
      new UpdateStackCommand({
        StackName: stackName,
        TemplateBody: body.replace(
          'Outputs:',
          '  Extra:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: out-of-band\nOutputs:',
        ),
      }),
    );
    cfn.destroy();

    await admin.getByLabel('Also run CloudFormation drift detection').check();
    await checkNow(admin);
    await source(admin).toMatch(
      /^Checked .*, with CloudFormation drift detection: 1 of 2 resources drifted/,
    );
    const table = admin.getByRole('table', { name: 'Drift' });
    await textOf(table.locator('tr[data-resource="orders/orders-dev"]')).toContain('drifted');
    await textOf(table.locator('tr[data-resource="dev"]')).toContain('in sync');
    const card = admin.getByRole('article', { name: 'Drift of orders/orders-dev' });
    await textOf(card.locator('h4').first()).toBe(`Stack ${stackName}`);
    const diff = card.getByLabel('Stack template diff for orders/orders-dev');
    expect(await diffLines(diff, 'add')).toContain('+  Extra:');
    await textOf(card).toContain('drift detection is not available');
    await card.getByRole('button', { name: 'Redeploy orders/orders-dev to converge' }).waitFor();
    await card.getByRole('button', { name: 'Accept the drift of orders/orders-dev' }).waitFor();
    const shot = join(results, 'console-drift.png');
    await admin.screenshot({ path: shot, fullPage: true });
    copyFileSync(shot, here('../../../docs/images/console-drift.png'));
  });

  it('a read-only user sees drift and currency but no redeploy, preview or rollout start', async () => {
    const viewer = await newPage(browser, problems);
    await signInWithPassword(viewer, server, VIEWER);
    await navTo(viewer, 'Main', 'Fleet');
    await heading(viewer, 'Rollouts');
    expect(await links(viewer, 'Fleet')).toEqual(['Rollouts', 'Drift', 'Currency']);
    expect(await viewer.getByRole('button', { name: 'Preview a version' }).count()).toBe(0);

    await navTo(viewer, 'Fleet', 'Drift');
    await checkNow(viewer);
    await source(viewer).toMatch(/^Checked .*: 1 of 2 resources drifted/);
    const card = viewer.getByRole('article', { name: 'Drift of orders/orders-dev' });
    await textOf(card).toContain('someone allowed to deploy services redeploys it');
    expect(
      await viewer.locator('main button.primary, main button.danger').allTextContents(),
    ).toEqual(['Check now']);

    await navTo(viewer, 'Fleet', 'Currency');
    const row = viewer.locator('tr[data-template="drift-svc"][data-version="1.0"]');
    await textOf(row).toContain('1 service instance');
    expect(await row.getByRole('link', { name: /^Preview/ }).count()).toBe(0);

    await viewer.goto(`${server.url}/preview`);
    await heading(viewer, 'Not allowed');
    await viewer.context().close();
  });

  it('accepts the drift from the page: the resource shows as accepted, not drifted', async () => {
    const card = admin.getByRole('article', { name: 'Drift of orders/orders-dev' });
    await card.getByRole('button', { name: 'Accept the drift of orders/orders-dev' }).click();
    const dialog = admin.getByRole('dialog', { name: 'Accept the drift of orders/orders-dev?' });
    await textOf(dialog).toContain('Nothing is deployed');
    await dialog.getByRole('button', { name: 'Accept drift' }).click();
    await textOf(card.locator('[data-drift-accepted]')).toContain('Drift accepted by');
    const table = admin.getByRole('table', { name: 'Drift' });
    await textOf(table.locator('tr[data-resource="orders/orders-dev"]')).toContain('accepted');
  });

  it('redeploys the drifted instance from the page, after which nothing has drifted', async () => {
    const card = admin.getByRole('article', { name: 'Drift of orders/orders-dev' });
    await card.getByRole('button', { name: 'Redeploy orders/orders-dev to converge' }).click();
    const dialog = admin.getByRole('dialog', { name: 'Redeploy orders/orders-dev?' });
    await textOf(dialog).toContain('drift-svc 1.0');
    await dialog.getByRole('button', { name: 'Redeploy' }).click();
    await textOf(card.getByRole('status'), 120_000).toContain('succeeded');

    await admin.getByLabel('Also run CloudFormation drift detection').uncheck();
    await checkNow(admin);
    await source(admin).toMatch(/^Checked .*: 0 of 2 resources drifted/);
    // The accepted drift was converged too: in sync, no card left.
    await textOf(
      admin.getByRole('table', { name: 'Drift' }).locator('tr[data-resource="orders/orders-dev"]'),
    ).toContain('in sync');
    expect(await admin.getByRole('article').count()).toBe(0);
    expect(problems).toEqual([]);
  }, 180_000);
});
