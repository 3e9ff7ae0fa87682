import { execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { requireOrSkip } from '@nucleon/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, startUp } from './run-cli.js';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../../../', import.meta.url));

/** The README's walkthrough sections whose shell blocks run, in order, as one session. */
const SECTIONS = [
  'Point your tools at Nucleon',
  'Register a template from an existing Proton bundle',
  'Try it end to end with the examples',
];

/** The ```sh (or other `lang`) blocks of one `## ` section of a Markdown text, in order. */
function shellBlocks(markdown: string, section: string, lang = 'sh'): string[] {
  const start = markdown.indexOf(`\n## ${section}\n`);
  if (start < 0) return [];
  const next = markdown.indexOf('\n## ', start + 4);
  const body = markdown.slice(start, next < 0 ? undefined : next);
  return [...body.matchAll(new RegExp(`\\n\`\`\`${lang}\\n([\\s\\S]*?)\\n\`\`\``, 'g'))].map(
    (m) => m[1]!,
  );
}

async function missingAwsCli(): Promise<string | undefined> {
  try {
    await run('aws', ['--version']);
    return undefined;
  } catch (error) {
    return `the AWS CLI is needed: ${(error as Error).message.split('\n')[0]}`;
  }
}

/** Processes (the local-web example's servers) whose command line mentions `marker`. */
function processesOf(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(marker)) pids.push(Number(entry));
    } catch {
      // gone
    }
  }
  return pids;
}

/**
 * The README's walkthroughs run as written, so they cannot drift from what Nucleon does: its
 * shell blocks, in order, in one bash session, against a fresh `nucleon up` (what `npm start`
 * runs after building) in a fresh folder that holds the repository's files. The one change is
 * the port: the README's 8080 becomes the free port this server listens on.
 */
describe("the README's walkthroughs, run as written", async () => {
  const awsCli = requireOrSkip(await missingAwsCli());
  const dir = mkdtempSync(join(tmpdir(), 'nucleon-readme-'));
  // The user's home lies outside the clone (whose package.json says "type": "module").
  const home = mkdtempSync(join(tmpdir(), 'nucleon-readme-home-'));
  let nucleon: ChildProcess | undefined;
  let url: string;

  beforeAll(async () => {
    assertBuilt();
    // A fresh folder that looks like a built clone: the repository's files, no .nucleon yet.
    for (const name of ['examples', 'node_modules', 'packages', 'package.json'])
      symlinkSync(join(repo, name), join(dir, name));
    const started = await startUp(['--port', '0', '--data-dir', join(dir, '.nucleon')], {
      HOME: home,
      NUCLEON_EXAMPLES_HOME: join(home, '.nucleon-examples'),
      // As the README's examples section says to start it.
      NUCLEON_RUNNER_SANDBOX: 'off',
    });
    nucleon = started.child;
    url = started.url;
  });

  afterAll(async () => {
    if (url) {
      // Tear down what the walkthrough made, so no example server outlives the test.
      await run(
        'bash',
        [
          '-c',
          'aws proton delete-service --name hello >/dev/null && aws proton wait service-deleted --name hello; ' +
            'aws proton delete-environment --name local-dev >/dev/null && aws proton wait environment-deleted --name local-dev',
        ],
        { cwd: dir, env: walkthroughEnv() },
      ).catch(() => undefined);
    }
    for (const pid of [...processesOf(dir), ...processesOf(home)]) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    nucleon?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  });

  /** A user's shell: no AWS settings of their own; the README's exports set them. */
  const userEnv = (): NodeJS.ProcessEnv => {
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home };
    for (const k of Object.keys(env))
      if (k.startsWith('AWS_') && k !== 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED')
        delete env[k];
    return env;
  };
  /** The user's shell after the README's exports, for the teardown. */
  const walkthroughEnv = (): NodeJS.ProcessEnv => {
    const env = userEnv();
    env.AWS_SHARED_CREDENTIALS_FILE = join(dir, '.nucleon', 'credentials');
    env.AWS_PROFILE = 'nucleon';
    env.AWS_REGION = 'us-east-1';
    env.AWS_DEFAULT_REGION = 'us-east-1';
    env.AWS_ENDPOINT_URL_PROTON = url;
    return env;
  };

  it.skipIf(!awsCli)(
    'runs every shell block of the walkthroughs in order, and the example service answers',
    async () => {
      const readme = readFileSync(join(repo, 'README.md'), 'utf8');
      const blocks = SECTIONS.map((s) => {
        const found = shellBlocks(readme, s);
        expect(found.length, `README section "${s}" has no sh block`).toBeGreaterThan(0);
        return found.join('\n');
      });
      const port = new URL(url).port;
      const script = ['set -euo pipefail', ...blocks]
        .join('\n')
        .replaceAll('127.0.0.1:8080', `127.0.0.1:${port}`);
      const out = await run('bash', ['-c', script], {
        cwd: dir,
        env: userEnv(),
        maxBuffer: 16 * 1024 * 1024,
      }).catch((e: { stdout?: string; stderr?: string; message: string }) => {
        throw new Error(
          `a README block failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`,
        );
      });
      // The last command lists web-1's outputs: its Url answers with the spec's message.
      const outputs = JSON.parse(out.stdout.slice(out.stdout.lastIndexOf('\n{\n') + 1)) as {
        outputs: Array<{ key: string; valueString: string }>;
      };
      const served = outputs.outputs.find((o) => o.key === 'Url')?.valueString;
      expect(served).toMatch(/^http:\/\/127\.0\.0\.1:\d+/);
      const answer = await (await fetch(served!)).text();
      expect(answer).toContain('Hello from web-1');
      expect(out.stdout).toContain('my-env');
    },
    600_000,
  );

  it.skipIf(!awsCli)(
    'the JavaScript and Python snippets of "Point your tools at Nucleon" run with its exports',
    async () => {
      const readme = readFileSync(join(repo, 'README.md'), 'utf8');
      const port = new URL(url).port;
      const local = (code: string) => code.replaceAll('127.0.0.1:8080', `127.0.0.1:${port}`);
      const [ts] = shellBlocks(readme, SECTIONS[0]!, 'ts');
      const [python] = shellBlocks(readme, SECTIONS[0]!, 'python');
      expect(ts && python, 'the section lost its ts or python snippet').toBeTruthy();
      const js = await run(
        process.execPath,
        ['--input-type=module', '-e', `${local(ts!)}\nconsole.log('ok');`],
        { cwd: dir, env: walkthroughEnv() },
      );
      expect(js.stdout.trim()).toBe('ok');
      const py = await run('python3', ['-c', `${local(python!)}\nprint("ok")`], {
        cwd: dir,
        env: walkthroughEnv(),
      });
      expect(py.stdout.trim()).toBe('ok');
    },
  );
});
