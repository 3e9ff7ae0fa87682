import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { TEST_ROOT_KEY, requireOrSkip, type TestServer } from '@nucleon/test-utils';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { expect } from 'vitest';

export const CHROMIUM = '/usr/bin/chromium';
export const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
export const results = here('../test-results/');
const distIndex = here('../dist/index.html');

/** Whether Chromium is here (under CI=true its absence fails instead). */
export const chromiumAvailable = () =>
  requireOrSkip(
    existsSync(CHROMIUM)
      ? undefined
      : `${CHROMIUM} is missing: install Debian's Chromium with \`apt-get install -y chromium\` to run the browser tests`,
  );

export function motoMissing(): string | undefined {
  try {
    execFileSync('moto_server', ['--help'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'moto_server (Python moto) is not installed: `pip install "moto[server]"`';
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * A moto_server for CloudFormation, with this process's AWS settings pointed at it (the server
 * under test reads them when it starts). Returns the endpoint and a stop function restoring
 * the environment.
 */
export async function startMoto(): Promise<{ endpoint: string; stop(): void }> {
  const saved = { ...process.env };
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const moto: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: 'ignore',
  });
  for (let i = 0; i < 100; i++) {
    const up = await fetch(`${endpoint}/`).then(
      () => true,
      () => false,
    );
    if (up) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_CLOUDFORMATION: endpoint,
    AWS_ENDPOINT_URL_STS: endpoint,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: 'us-east-1',
  });
  return {
    endpoint,
    stop: () => {
      moto.kill();
      process.env = saved;
    },
  };
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(distIndex))
    throw new Error(`The console is not built (${distIndex} is missing): run \`npm run build\`.`);
  mkdirSync(results, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
  });
}

/** A fresh page whose console errors and page errors land in `problems`. */
export async function newPage(browser: Browser, problems: string[]): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  return page;
}

export async function signInAsRoot(page: Page, server: TestServer): Promise<void> {
  await page.goto(server.url);
  await page.getByLabel('Access key ID').fill(TEST_ROOT_KEY.accessKeyId);
  await page.getByLabel('Secret access key').fill(TEST_ROOT_KEY.secretAccessKey);
  await page.getByLabel('Secret access key').press('Enter');
  // Not `heading()`: Vitest's expect.poll is refused in beforeAll.
  await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
}

export async function signInWithPassword(
  page: Page,
  server: TestServer,
  user: { userName: string; password: string },
): Promise<void> {
  await page.goto(server.url);
  await page.getByLabel('User name and password').check();
  await page.getByLabel('User name', { exact: true }).fill(user.userName);
  await page.getByLabel('Password', { exact: true }).fill(user.password);
  await page.getByLabel('Password', { exact: true }).press('Enter');
  await heading(page, 'Dashboard');
}

// playwright-core has no web-first assertions: poll with Vitest's instead.
export const poll = <T>(read: () => Promise<T>, timeout = 30_000) =>
  expect.poll(read, { timeout, interval: 200 });
export const textOf = (locator: Locator, timeout?: number) =>
  poll(async () => (await locator.textContent()) ?? '', timeout);
export const heading = (page: Page, text: string) =>
  textOf(page.getByRole('heading', { level: 1 })).toBe(text);
export const links = (page: Page, nav: string) =>
  page.getByRole('navigation', { name: nav }).getByRole('link').allTextContents();
export const navTo = (page: Page, nav: string, label: string) =>
  page.getByRole('navigation', { name: nav }).getByRole('link', { name: label }).click();

/** The added (`add`) or removed (`remove`) lines of a rendered unified diff, as shown. */
export const diffLines = async (diff: Locator, kind: 'add' | 'remove') =>
  (await diff.locator(`.diff-${kind}`).allTextContents()).map((l) => l.replace(/\n$/, ''));

type Styles = { getComputedStyle(e: unknown): { color: string; backgroundColor: string } };
/** An element's computed text and background colours (the tests' tsconfig has no DOM types). */
export const coloursOf = (locator: Locator) =>
  locator.evaluate((e) => {
    const s = (globalThis as unknown as Styles).getComputedStyle(e);
    return { color: s.color, background: s.backgroundColor };
  });
