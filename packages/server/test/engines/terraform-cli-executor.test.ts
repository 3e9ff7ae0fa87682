import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  BACKEND_OVERRIDE_FILE,
  TerraformCliExecutor,
} from '../../src/adapters/engines/terraform-cli-executor.js';
import type { CommandOutputLine } from '../../src/ports/command-runner.js';
import type { TerraformRunRequest } from '../../src/ports/terraform-executor.js';
import { eventually, findExecutable, processState } from './helpers.js';

/**
 * TerraformCliExecutor with the real terraform binary, on configurations that use only the
 * built-in `terraform_data` resource (no provider can be downloaded on the project's machines).
 * Terraform is not part of the documented image, so unlike moto_server these tests may skip
 * even under CI=true.
 */

const terraform = findExecutable('terraform') ?? findExecutable('tofu');
if (terraform === undefined) {
  console.warn(
    'skipping Terraform executor tests: no terraform or tofu on PATH (terraform is not part of ' +
      'the documented image, so this skip is allowed even when CI=true)',
  );
}

const CONFIG = `
variable "environment" {
  type = object({ name = string, inputs = map(string) })
}
resource "terraform_data" "network" {
  input = var.environment.inputs
}
output "environment_name" {
  value = var.environment.name
}
output "network_inputs" {
  value = terraform_data.network.output
}
output "network_id" {
  value = terraform_data.network.id
}
`;

describe.skipIf(terraform === undefined)('TerraformCliExecutor with the real terraform', () => {
  let root: string;
  let executor: TerraformCliExecutor;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'nucleon-tf-test-'));
    const found = await TerraformCliExecutor.detect({
      path: dirname(terraform ?? '/'),
      killGraceMs: 5_000,
    });
    if (found === undefined) throw new Error(`detect() did not accept ${terraform}`);
    executor = found;
  });

  afterAll(async () => {
    if (root !== undefined) await rm(root, { recursive: true, force: true });
  });

  /** A fresh workdir holding `config` and the Proton tfvars file. */
  async function workspace(name: string, config: string, inputs: Record<string, string>) {
    const workdir = join(root, name, 'work');
    const stateDir = join(root, name, 'state');
    await import('node:fs/promises').then((fs) => fs.mkdir(workdir, { recursive: true }));
    await writeFile(join(workdir, 'main.tf'), config);
    await writeFile(
      join(workdir, 'proton.auto.tfvars.json'),
      JSON.stringify({ environment: { name, inputs } }),
    );
    const lines: CommandOutputLine[] = [];
    const request: TerraformRunRequest = {
      workdir,
      stateDir,
      env: { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: join(root, name) },
      timeoutMs: 60_000,
      onOutput: (line) => lines.push(line),
    };
    return { workdir, stateDir, lines, request };
  }

  test('detect finds the binary on the given PATH and reports its version', () => {
    expect(executor.binary.path).toBe(terraform);
    expect(executor.binary.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  test('detect returns undefined when neither terraform nor tofu is on the PATH', async () => {
    expect(await TerraformCliExecutor.detect({ path: root })).toBeUndefined();
  });

  test('applies a configuration with Proton variables, keeps state in stateDir and returns outputs', async () => {
    const { workdir, stateDir, lines, request } = await workspace('dev', CONFIG, { size: 'small' });
    const result = await executor.apply(request);

    expect(result.outcome, result.message).toBe('SUCCEEDED');
    expect(result.outputs.environment_name).toBe('dev');
    expect(JSON.parse(result.outputs.network_inputs ?? '')).toEqual({ size: 'small' });
    expect(result.provisionedResources).toEqual([
      {
        name: 'terraform_data.network',
        identifier: result.outputs.network_id,
        provisioningEngine: 'TERRAFORM',
      },
    ]);
    const state = JSON.parse(await readFile(join(stateDir, 'terraform.tfstate'), 'utf8')) as {
      resources: unknown[];
    };
    expect(state.resources).toHaveLength(1);
    expect(await readFile(join(workdir, BACKEND_OVERRIDE_FILE), 'utf8')).toContain(
      `path = "${stateDir}/terraform.tfstate"`,
    );
    expect(lines.some((l) => l.text.includes('Apply complete! Resources: 1 added'))).toBe(true);
    // outputs are returned, never echoed into the deployment log
    expect(lines.some((l) => l.text.includes('"environment_name"'))).toBe(false);
  });

  test('a second apply from a fresh workdir reuses the state and changes nothing', async () => {
    const first = await workspace('reuse', CONFIG, { size: 'small' });
    const applied = await executor.apply(first.request);
    await rm(first.workdir, { recursive: true });

    const second = await workspace('reuse', CONFIG, { size: 'small' });
    const again = await executor.apply(second.request);

    expect(again.outcome, again.message).toBe('SUCCEEDED');
    expect(again.outputs).toEqual(applied.outputs);
    expect(second.lines.some((l) => l.text.includes('No changes.'))).toBe(true);
  });

  test('a configuration error fails with the parsed diagnostic', async () => {
    const broken = `${CONFIG}\nresource "terraform_data" "broken" {\n  input = var.missing\n}\n`;
    const { request } = await workspace('broken', broken, {});
    const result = await executor.apply(request);

    expect(result).toMatchObject({ outcome: 'FAILED', errorCode: 'TEMPLATE_INVALID', outputs: {} });
    expect(result.message).toMatch(
      /^terraform plan failed: Reference to undeclared input variable \(main\.tf line \d+\): An input variable with the name "missing" has not been declared/,
    );
  });

  test('a failing provisioner fails apply with terraform’s error', async () => {
    const failing = `${CONFIG}\nresource "terraform_data" "hook" {\n  provisioner "local-exec" {\n    command = "echo no capacity >&2; exit 3"\n  }\n}\n`;
    const { request } = await workspace('hook', failing, {});
    const result = await executor.apply(request);

    expect(result).toMatchObject({ outcome: 'FAILED', errorCode: 'ENGINE_FAILED' });
    expect(result.message).toContain(
      'terraform apply failed: local-exec provisioner error (terraform_data.hook',
    );
    expect(result.message).toContain('exit status 3. Output: no capacity');
  });

  test('destroy removes everything in state, and destroying again is a no-op', async () => {
    const { stateDir, request } = await workspace('gone', CONFIG, { size: 'large' });
    expect((await executor.apply(request)).outcome).toBe('SUCCEEDED');

    const destroyed = await executor.destroy(request);
    expect(destroyed, destroyed.message).toMatchObject({
      outcome: 'SUCCEEDED',
      outputs: {},
      provisionedResources: [],
    });
    const state = JSON.parse(await readFile(join(stateDir, 'terraform.tfstate'), 'utf8')) as {
      resources: unknown[];
    };
    expect(state.resources).toEqual([]);
    expect((await executor.destroy(request)).outcome).toBe('SUCCEEDED');
  });

  test('cancel interrupts terraform and leaves no process of its group running', async () => {
    const slow = `resource "terraform_data" "slow" {\n  provisioner "local-exec" {\n    command = "echo sleeper=$$; exec sleep 1000"\n  }\n}\n`;
    const { request } = await workspace('slow', slow, {});
    const controller = new AbortController();
    let sleeper: number | undefined;
    const started = Date.now();
    const result = await executor.apply({
      ...request,
      signal: controller.signal,
      onOutput: (line) => {
        const match = /sleeper=(\d+)/.exec(line.text);
        if (match?.[1] !== undefined) {
          sleeper = Number(match[1]);
          controller.abort();
        }
      },
    });

    expect(result.outcome, result.message).toBe('CANCELLED');
    expect(result.message).toBe(
      'cancelled during terraform apply; terraform was interrupted (it saves state as it stops)',
    );
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(sleeper).toBeDefined();
    expect(
      await eventually(
        () => processState(sleeper ?? 0) === undefined || processState(sleeper ?? 0) === 'Z',
        5_000,
      ),
    ).toBe(true);
  });

  test('an apply that outlives its timeout is reported TIMED_OUT', async () => {
    const slow = `resource "terraform_data" "slow" {\n  provisioner "local-exec" {\n    command = "sleep 1000"\n  }\n}\n`;
    const { request } = await workspace('late', slow, {});
    const result = await executor.apply({ ...request, timeoutMs: 1_500 });

    expect(result.outcome, result.message).toBe('TIMED_OUT');
    expect(result.message).toMatch(/^timed out after 1500 ms during terraform (init|plan|apply)/);
  });
});
