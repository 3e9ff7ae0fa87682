import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  requireOrSkip,
  startTestServer,
  TEST_ROOT_KEY,
  type TestServer,
} from '@nucleon/test-utils';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createFleet,
  publishMinor,
  rolloutCall,
  waitRollout,
} from '../../server/test/rollout-fixtures.js';

const CHROMIUM = '/usr/bin/chromium';
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const results = here('../test-results/');
const distIndex = here('../dist/index.html');
const available = requireOrSkip(
  existsSync(CHROMIUM)
    ? undefined
    : `${CHROMIUM} is missing: install Debian's Chromium with \`apt-get install -y chromium\` to run the browser tests`,
);

describe.skipIf(!available)('the console shows a rollout’s waves as a timeline (Chromium)', () => {
  let server: TestServer;
  let browser: Browser;
  const problems: string[] = [];

  beforeAll(async () => {
    if (!existsSync(distIndex))
      throw new Error(`The console is not built (${distIndex} is missing): run \`npm run build\`.`);
    mkdirSync(results, { recursive: true });
    server = await startTestServer({ dialect: 'pglite' });
    await createFleet(server, 'web-svc', ['api', 'web'], { 'web-prod': '1.1' });
    await publishMinor(server, 'web-svc', 'svc-rollout-1_1');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
    });
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('lists the rollout and shows each wave with its instances’ states and the rollback reason', async () => {
    const started = await rolloutCall(server, 'StartRollout', {
      templateName: 'web-svc',
      targetMajorVersion: '1',
      targetMinorVersion: '1',
      environmentOrder: ['dev', 'staging', 'prod'],
      bakeSeconds: 1,
      autoRollback: true,
      rollbackScope: 'WAVE',
    });
    const done = await waitRollout(
      server,
      started.rolloutId,
      (r) => r.status !== 'IN_PROGRESS',
      'rollout',
    );
    expect(done.status).toBe('ROLLED_BACK');

    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await page.goto(server.url);
    await page.getByLabel('Access key ID').fill(TEST_ROOT_KEY.accessKeyId);
    await page.getByLabel('Secret access key').fill(TEST_ROOT_KEY.secretAccessKey);
    await page.getByLabel('Secret access key').press('Enter');
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Fleet' })
      .click();
    await page.getByRole('heading', { level: 1, name: 'Rollouts' }).waitFor();
    const row = page.getByRole('table', { name: 'Rollouts' }).getByRole('row').nth(1);
    await row.waitFor();
    expect(await row.textContent()).toContain('web-svc → 1.1');
    expect(await row.textContent()).toMatch(/rolled back/i);
    await row.getByRole('link').click();
    await page.getByRole('heading', { level: 1, name: 'web-svc → 1.1' }).waitFor();
    const waves = page.getByRole('list', { name: 'Waves' }).locator(':scope > li');
    expect(await waves.count()).toBe(3);
    const text = await Promise.all(
      [0, 1, 2].map(async (i) => (await waves.nth(i).textContent()) ?? ''),
    );
    expect(text[0]).toMatch(/Wave 1.*api\/api-dev.*succeeded/is);
    expect(text[1]).toMatch(/Wave 2.*web\/web-staging.*succeeded/is);
    expect(text[2]).toMatch(/Wave 3.*web\/web-prod.*rolled back/is);
    expect(text[2]).toContain('failing on purpose');
    expect(await page.locator('main').textContent()).toContain('wave 3 of 3 failed');
    const shot = join(results, 'console-rollout.png');
    await page.screenshot({ path: shot, fullPage: true });
    copyFileSync(shot, here('../../../docs/images/console-rollout.png'));
    expect(problems).toEqual([]);
    await context.close();
  }, 300_000);
});
