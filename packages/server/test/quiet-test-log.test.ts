import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { requireOrSkip } from '@nucleon/test-utils';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

async function missingTerraform(): Promise<string | undefined> {
  try {
    await run('terraform', ['version']);
    return undefined;
  } catch (error) {
    return `terraform is needed: ${(error as Error).message.split('\n')[0]}`;
  }
}

/** What every test process inherits (vitest.config.ts) keeps expected warnings out of the log. */
describe('the test environment is quiet about what is expected', async () => {
  const terraform = requireOrSkip(await missingTerraform());

  it.skipIf(!terraform)('terraform prints no CLI configuration warning', async () => {
    const out = await run('terraform', ['version'], { env: process.env });
    expect(out.stderr + out.stdout).not.toMatch(/problems with the CLI configuration/);
    expect(out.stdout).toMatch(/^Terraform v/);
  });

  it('the AWS SDK prints no Node-version notice in a process the tests start', async () => {
    const out = await run(
      process.execPath,
      [
        '-e',
        "const { ProtonClient } = require('@aws-sdk/client-proton'); new ProtonClient({ region: 'us-east-1' }); console.log('made');",
      ],
      { env: process.env },
    );
    expect(out.stdout.trim()).toBe('made');
    expect(out.stderr).toBe('');
  });
});
