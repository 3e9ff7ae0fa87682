import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ChildProcess } from 'node:child_process';
import { requireOrSkip } from '@nucleon/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, startUp } from './run-cli.js';

const run = promisify(execFile);

async function missingBoto3(): Promise<string | undefined> {
  try {
    await run('python3', ['-c', 'import boto3']);
    return undefined;
  } catch (error) {
    return `python3 with boto3 is needed: ${(error as Error).message.split('\n')[0]}`;
  }
}

/** The client lines `nucleon up` prints work when pasted as they are. */
describe("nucleon up's banner, pasted into a client", async () => {
  const python = requireOrSkip(await missingBoto3());
  const dir = mkdtempSync(join(tmpdir(), 'nucleon-banner-'));
  const dataDir = join(dir, '.nucleon');
  let child: ChildProcess;
  let banner: string;

  beforeAll(async () => {
    assertBuilt();
    const started = await startUp(['--port', '0', '--data-dir', dataDir]);
    child = started.child;
    banner = started.output();
  });
  afterAll(() => {
    child?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it.skipIf(!python)(
    'the boto3 line names the region, so it runs with no AWS region configured',
    async () => {
      const line = /^\s*(boto3\.client\(.*\))\s+# boto3$/m.exec(banner)?.[1];
      expect(line, banner).toBeDefined();
      expect(line).toContain("region_name='us-east-1'");
      // Only the credentials come from the environment, as the banner's export line sets them.
      const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH,
        HOME: dir,
        AWS_SHARED_CREDENTIALS_FILE: join(dataDir, 'credentials'),
        AWS_PROFILE: 'nucleon',
        AWS_CONFIG_FILE: join(dir, 'no-config'),
      };
      const { stdout } = await run(
        'python3',
        [
          '-c',
          `import boto3\nproton = ${line}\nprint(len(proton.list_environment_templates()["templates"]))`,
        ],
        { env },
      );
      expect(stdout.trim()).toBe('0');
    },
  );
});
