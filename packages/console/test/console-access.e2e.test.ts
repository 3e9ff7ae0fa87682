import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
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
const distIndex = here('../dist/index.html');

const DEV = { userName: 'dev1', password: 'dev1-console-password' };
const VIEWER = { userName: 'viewer1', password: 'viewer1-console-password' };

const available = requireOrSkip(
  existsSync(CHROMIUM)
    ? undefined
    : `${CHROMIUM} is missing: install Debian's Chromium with \`apt-get install -y chromium\` to run the browser tests`,
);

describe.skipIf(!available)('the console shows each role only what it may do (Chromium)', () => {
  let server: TestServer;
  let browser: Browser;
  let bundles: string;
  const problems: string[] = [];

  // playwright-core has no web-first assertions: poll with Vitest's instead.
  const poll = <T>(read: () => Promise<T>, timeout = 20_000) =>
    expect.poll(read, { timeout, interval: 200 });
  const visible = (locator: Locator, timeout = 20_000) =>
    locator.first().waitFor({ state: 'visible', timeout });
  const textOf = (locator: Locator, timeout?: number) =>
    poll(async () => (await locator.textContent()) ?? '', timeout);
  const heading = (page: Page, text: string) =>
    textOf(page.getByRole('heading', { level: 1 })).toBe(text);
  const navLinks = async (page: Page) =>
    page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents();
  const nav = (page: Page, label: string) =>
    page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label }).click();
  /** Buttons that create, change or delete something (the console styles them primary or danger). */
  const mutatingButtons = (page: Page) =>
    page.locator('main button.primary, main button.danger').allTextContents();
  const attributes = async (rows: Locator, name: string) =>
    Promise.all((await rows.all()).map((r) => r.getAttribute(name)));
  const shot = (page: Page, name: string) =>
    page.screenshot({ path: join(results, `${name}.png`), fullPage: true });

  const newPage = async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    return page;
  };

  const signInWithPassword = async (user: { userName: string; password: string }) => {
    const page = await newPage();
    await page.goto(server.url);
    await page.getByLabel('User name and password').check();
    await page.getByLabel('User name', { exact: true }).fill(user.userName);
    await page.getByLabel('Password', { exact: true }).fill(user.password);
    await page.getByLabel('Password', { exact: true }).press('Enter');
    await heading(page, 'Dashboard');
    return page;
  };

  let admin: Page;

  beforeAll(async () => {
    if (!existsSync(distIndex))
      throw new Error(
        `The console is not built (${distIndex} is missing): run \`npm run build -w @nucleon/console\` first.`,
      );
    mkdirSync(results, { recursive: true });
    bundles = mkdtempSync(join(tmpdir(), 'nucleon-console-access-'));
    execFileSync('tar', [
      '-czf',
      join(bundles, 'env-codebuild.tar.gz'),
      '-C',
      join(fixtures, 'env-codebuild'),
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
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (bundles) rmSync(bundles, { recursive: true, force: true });
  });

  it('an admin (the root key) sees the admin pages and registers a draft template version', async () => {
    admin = await newPage();
    await admin.goto(server.url);
    await admin.getByLabel('Access key ID').fill(TEST_ROOT_KEY.accessKeyId);
    await admin.getByLabel('Secret access key').fill(TEST_ROOT_KEY.secretAccessKey);
    await admin.getByLabel('Secret access key').press('Enter');
    await heading(admin, 'Dashboard');
    expect(await navLinks(admin)).toEqual([
      'Dashboard',
      'Templates',
      'Environments',
      'Services',
      'Fleet',
      'Users',
      'Access keys',
      'Audit',
      'Import',
      'Connect tools',
    ]);
    await textOf(admin.locator('.who .chip')).toBe('admin');

    await nav(admin, 'Templates');
    await admin.getByRole('button', { name: 'New template' }).click();
    await admin.getByLabel('Name (required)').fill('cb-env');
    await admin.getByRole('button', { name: 'Create template' }).click();
    await heading(admin, 'cb-env');
    await admin.getByRole('button', { name: 'Register a new version' }).click();
    await admin.setInputFiles('#bundle-file', join(bundles, 'env-codebuild.tar.gz'));
    await admin.getByRole('button', { name: 'Upload and register' }).click();
    const row = admin.locator('tr[data-version="1.0"]');
    await visible(row.locator('[data-status="DRAFT"]'), 30_000);
    await visible(row.getByRole('button', { name: 'Publish 1.0' }));
  });

  it('an admin creates users with passwords and roles, and grants', async () => {
    await nav(admin, 'Users');
    await heading(admin, 'Users');
    for (const [user, role] of [
      [DEV, 'developer'],
      [VIEWER, 'read-only'],
    ] as const) {
      await admin.getByRole('button', { name: 'New user' }).click();
      await admin.locator('#user-name').fill(user.userName);
      await admin.locator('#user-role').selectOption(role);
      await admin.locator('#user-password').fill(user.password);
      await admin.getByRole('button', { name: 'Create user' }).click();
      const userRow = admin.locator('table', { hasText: 'Console password' }).locator('tr', {
        hasText: user.userName,
      });
      await textOf(userRow).toContain(role);
      await textOf(userRow).toContain('yes');
    }

    const grants = admin.getByRole('table', { name: 'Grants' });
    for (const [kind, pattern] of [
      ['environment', 'dev-*'],
      ['template', 'cb-*'],
    ] as const) {
      await admin.locator('#grant-user').selectOption(DEV.userName);
      await admin.locator('#grant-kind').selectOption(kind);
      await admin.locator('#grant-pattern').fill(pattern);
      await admin.getByRole('button', { name: 'Add grant' }).click();
      await textOf(grants.locator('tr', { hasText: pattern })).toBe(
        `${DEV.userName}${kind}${pattern}Remove`,
      );
    }
    await shot(admin, 'access-users');
  });

  it('an admin creates an access key for a user and sees its secret once', async () => {
    await nav(admin, 'Access keys');
    await heading(admin, 'Access keys');
    await admin.getByRole('button', { name: 'New access key' }).click();
    await admin.locator('#key-user').selectOption(DEV.userName);
    await admin.locator('#key-description').fill('dev1 laptop');
    await admin.getByRole('button', { name: 'Create key' }).click();
    const secret = admin.getByLabel('New secret access key');
    await poll(async () => ((await secret.textContent()) ?? '').length).toBeGreaterThan(20);
    const keyRow = admin.locator('tr', { hasText: 'dev1 laptop' });
    await textOf(keyRow).toContain(DEV.userName);
    await textOf(keyRow).toContain('developer');
    // The root key itself cannot be deleted here; the new key can.
    await visible(keyRow.getByRole('button', { name: /^Delete access key/ }));
    expect(
      await admin.locator('tr', { hasText: TEST_ROOT_KEY.accessKeyId }).getByRole('button').count(),
    ).toBe(0);
  });

  it('a developer signs in with a password: services yes, templates and admin pages no', async () => {
    const dev = await signInWithPassword(DEV);
    expect(await navLinks(dev)).toEqual([
      'Dashboard',
      'Templates',
      'Environments',
      'Services',
      'Fleet',
      'Connect tools',
    ]);
    await textOf(dev.locator('.who')).toContain(`${DEV.userName}developer`);
    // Importing from Proton takes over running infrastructure: admins only.
    await dev.goto(`${server.url}/import`);
    await heading(dev, 'Not allowed');

    await nav(dev, 'Templates');
    await visible(dev.getByRole('link', { name: 'cb-env' }));
    expect(await dev.getByRole('button', { name: 'New template' }).count()).toBe(0);
    await dev.getByRole('link', { name: 'cb-env' }).click();
    await heading(dev, 'cb-env');
    const row = dev.locator('tr[data-version="1.0"]');
    await visible(row.locator('[data-status="DRAFT"]'));
    await visible(dev.getByRole('heading', { name: 'Version 1.0' }));
    expect(await row.getByRole('button', { name: /Publish/ }).count()).toBe(0);
    expect(await dev.getByRole('button', { name: 'Register a new version' }).count()).toBe(0);
    // Environments are a platform engineer's: no wizard link for them either.
    expect(await dev.getByRole('button', { name: /Create an environment/ }).count()).toBe(0);

    await nav(dev, 'Environments');
    await heading(dev, 'Environments');
    expect(await dev.getByRole('button', { name: 'Create environment' }).count()).toBe(0);

    await nav(dev, 'Services');
    await heading(dev, 'Services');
    await dev.getByRole('button', { name: 'Create service' }).click();
    await heading(dev, 'Create service');
    // No service template is published: the developer is told whom to ask, not sent to register one.
    await textOf(dev.locator('main .empty-state')).toContain(
      'ask one to publish a service template',
    );
    expect(await dev.locator('main').getByRole('link', { name: 'Templates' }).count()).toBe(0);
    await shot(dev, 'access-developer-create-service');

    for (const path of ['/users', '/keys', '/audit', '/create/environment']) {
      await dev.goto(`${server.url}${path}`);
      await heading(dev, 'Not allowed');
    }
    await dev.context().close();
  });

  it('a read-only user sees no button that changes anything', async () => {
    const viewer = await signInWithPassword(VIEWER);
    expect(await navLinks(viewer)).toEqual([
      'Dashboard',
      'Templates',
      'Environments',
      'Services',
      'Fleet',
      'Connect tools',
    ]);
    const pages: Array<[string, string]> = [
      ['/', 'Dashboard'],
      ['/templates', 'Templates'],
      ['/templates/environment/cb-env', 'cb-env'],
      ['/environments', 'Environments'],
      ['/services', 'Services'],
    ];
    for (const [path, title] of pages) {
      await viewer.goto(`${server.url}${path}`);
      await heading(viewer, title);
      await viewer.locator('.loading').waitFor({ state: 'detached' });
      expect(await mutatingButtons(viewer), path).toEqual([]);
    }
    // The draft version is listed, without publish or create buttons.
    await viewer.goto(`${server.url}/templates/environment/cb-env`);
    await visible(viewer.locator('tr[data-version="1.0"]'));
    await visible(viewer.getByRole('heading', { name: 'Version 1.0' }));
    expect(await viewer.locator('main button', { hasText: /Publish|Create/ }).count()).toBe(0);
    await viewer.goto(`${server.url}/create/service`);
    await heading(viewer, 'Not allowed');
    await shot(viewer, 'access-read-only');

    // Hidden is not the only guard: the same session calling a write directly is refused.
    const cookie = (await viewer.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    const session = (await (
      await fetch(`${server.url}/console/api/session`, { headers: { cookie } })
    ).json()) as { csrfToken: string };
    for (let i = 0; i < 12; i++) {
      const response = await fetch(`${server.url}/console/api/call`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/json', 'x-csrf-token': session.csrfToken },
        body: JSON.stringify({
          target: 'AwsProton20200720.CreateEnvironmentTemplate',
          input: { name: `sneaky-${i}` },
        }),
      });
      expect(response.status).toBe(403);
      expect(((await response.json()) as { __type: string }).__type).toMatch(
        /AccessDeniedException$/,
      );
    }
    await viewer.context().close();
  });
  it('an admin reads those events on the audit page, filters them and pages through them', async () => {
    await nav(admin, 'Audit');
    await heading(admin, 'Audit log');
    const events = admin.getByRole('table', { name: 'Audit events' }).locator('tbody tr');
    const ofOperation = (op: string) => events.and(admin.locator(`[data-operation="${op}"]`));
    await poll(() => ofOperation('CreateUser').count()).toBe(2);
    await poll(() => ofOperation('AddGrant').count()).toBe(2);
    await poll(() => ofOperation('CreateAccessKey').count()).toBe(1);
    await textOf(ofOperation('CreateAccessKey')).toContain(TEST_ROOT_KEY.accessKeyId);
    await textOf(ofOperation('CreateAccessKey')).toContain('succeeded');
    await shot(admin, 'access-audit');

    await admin.getByLabel('Operation').fill('CreateUser');
    await admin.getByRole('button', { name: 'Apply filters' }).click();
    await poll(async () => [...new Set(await attributes(events, 'data-operation'))]).toEqual([
      'CreateUser',
    ]);
    expect(await events.count()).toBe(2);

    await admin.getByRole('button', { name: 'Clear' }).click();
    await admin.getByLabel('Events per page').selectOption('10');
    await poll(() => events.count()).toBe(10);
    const firstPage = await events.allTextContents();
    await admin.getByRole('button', { name: 'Older' }).click();
    await textOf(admin.getByText(/^Page \d$/)).toBe('Page 2');
    await poll(async () => (await events.allTextContents())[0]).not.toBe(firstPage[0]);
    const secondPage = await events.allTextContents();
    expect(secondPage.some((r) => firstPage.includes(r))).toBe(false);
    await admin.getByRole('button', { name: 'Newer' }).click();
    await textOf(admin.getByText(/^Page \d$/)).toBe('Page 1');

    // The read-only user's refused calls, by principal.
    await admin.getByLabel('Principal').fill(VIEWER.userName);
    await admin.getByRole('button', { name: 'Apply filters' }).click();
    await poll(() => events.count()).toBe(10);
    const operations = await attributes(events, 'data-operation');
    const outcomes = await attributes(events, 'data-outcome');
    const principals = await events.locator('td:nth-child(2)').allTextContents();
    expect(new Set(operations.map((o, i) => `${o} ${outcomes[i]} ${principals[i]}`))).toEqual(
      new Set([`CreateEnvironmentTemplate DENIED ${VIEWER.userName}`]),
    );
    await admin.getByRole('button', { name: 'Older' }).click();
    await poll(() => events.count()).toBe(2);
    expect(await admin.getByRole('button', { name: 'Older' }).isDisabled()).toBe(true);
    expect(problems).toEqual([]);
  });
});
