import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { extensionTargetPrefix } from '@nucleon/protocol';
import { startTestServer, type TestServer } from '@nucleon/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nucleonClient } from './helpers.js';
import { createFleet, fleetState, publishMinor } from './rollout-fixtures.js';

interface Preview {
  resources: Array<{
    serviceInstanceName: string;
    engine?: string;
    changeSet?: {
      status: string;
      statusReason?: string;
      changes: Array<{
        action: string;
        logicalResourceId: string;
        physicalResourceId?: string;
        resourceType: string;
        replacement?: string;
        destroysData?: boolean;
      }>;
      summary: { adds: number; modifications: number; removals: number; replacements: number };
      statefulReplacements?: string[];
    };
    changeSetNote?: string;
  }>;
}

/**
 * `terraform plan` in previews where Terraform runs on the runner (terraform-cli).
 *
 * LOUDLY: THE `terraform` HERE IS A FAKE (test/fixtures/fake-terraform.mjs), placed first on the
 * server's PATH. No terraform binary exists on this machine and none can be installed, so this is
 * the "mock only where nothing real can run" case. The fake answers in Terraform's recorded JSON
 * shapes, computed from the rendered configuration and the state file the deployments wrote; what
 * is tested is Nucleon's side: the instance's state folder is used, init and plan run with
 * -lock=false, nothing is applied and state is untouched, and the plan is summarised like a
 * change set (adds, updates, replacements, removals; stateful ones called out).
 */
describe('rollout preview: terraform plan on the runner (FAKE terraform on PATH)', () => {
  let server: TestServer;
  const bin = mkdtempSync(join(tmpdir(), 'nucleon-fake-terraform-'));
  const saved = process.env.PATH;
  const calls = () => readFileSync(join(bin, 'calls.log'), 'utf8').trim().split('\n');

  beforeAll(async () => {
    copyFileSync(
      fileURLToPath(new URL('./fixtures/fake-terraform.mjs', import.meta.url)),
      join(bin, 'fake-terraform.mjs'),
    );
    writeFileSync(
      join(bin, 'terraform'),
      `#!/bin/sh\nexec '${process.execPath}' '${join(bin, 'fake-terraform.mjs')}' "$@"\n`,
    );
    chmodSync(join(bin, 'terraform'), 0o755);
    process.env.PATH = `${bin}${delimiter}${saved ?? ''}`;
    server = await startTestServer({ dialect: 'pglite' });
    await createFleet(server, 'tfplan-svc', ['api'], {}, ['dev'], 'svc-terraform-plan-1_0');
    await publishMinor(server, 'tfplan-svc', 'svc-terraform-plan-1_1');
  }, 300_000);
  afterAll(async () => {
    await server?.stop();
    process.env.PATH = saved;
    rmSync(bin, { recursive: true, force: true });
  });

  it('summarises terraform plan against the instance’s state, read-only', async () => {
    const before = await fleetState(server, ['api']);
    expect(before['api/api-dev']).toMatchObject({ version: '1.0', status: 'SUCCEEDED' });
    const stateRoot = join(server.nucleon.config.dataDir, 'terraform-state');
    const stateFiles = readdirSync(stateRoot, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name));
    expect(stateFiles).toHaveLength(1);
    const digest = () => createHash('sha256').update(readFileSync(stateFiles[0]!)).digest('hex');
    const stateBefore = digest();
    const applied = calls().filter((c) => / apply /.test(` ${c} `)).length;
    const callsBefore = calls().length;

    const preview = (await nucleonClient(server).send(`${extensionTargetPrefix}.PreviewRollout`, {
      templateName: 'tfplan-svc',
      targetMajorVersion: '1',
      targetMinorVersion: '1',
    })) as Preview;
    const [r] = preview.resources;
    expect(r).toMatchObject({ serviceInstanceName: 'api-dev', engine: 'terraform-cli' });
    expect(r!.changeSet).toMatchObject({
      status: 'PLANNED',
      statusReason: expect.stringContaining('-lock=false'),
      summary: { adds: 1, modifications: 2, removals: 1, replacements: 1 },
    });
    const byAddress = Object.fromEntries(
      r!.changeSet!.changes.map((c) => [c.logicalResourceId, c]),
    );
    expect(Object.keys(byAddress).sort()).toEqual([
      'aws_s3_bucket.data',
      'aws_sqs_queue.jobs',
      'terraform_data.audit',
      'terraform_data.owner',
    ]);
    expect(byAddress['terraform_data.audit']).toMatchObject({ action: 'Add' });
    expect(byAddress['terraform_data.owner']).toMatchObject({
      action: 'Modify',
      replacement: 'False',
      destroysData: false,
    });
    // The ids come from the state the deployment wrote.
    expect(byAddress['aws_s3_bucket.data']).toMatchObject({
      action: 'Modify',
      replacement: 'True',
      resourceType: 'aws_s3_bucket',
      physicalResourceId: expect.stringMatching(/^data-/),
      destroysData: true,
    });
    expect(byAddress['aws_sqs_queue.jobs']).toMatchObject({ action: 'Remove', destroysData: true });
    expect(r!.changeSet!.statefulReplacements).toEqual([
      'aws_s3_bucket.data (aws_s3_bucket) would be replaced: its data would be lost',
      'aws_sqs_queue.jobs (aws_sqs_queue) would be removed: its data would be lost',
    ]);

    // Read-only: init and plan without the lock, show of the plan file, no apply, state unchanged.
    const previewCalls = calls()
      .slice(callsBefore)
      .map((c) => c.split(' ').slice(1).join(' '));
    expect(previewCalls).toEqual([
      'init -input=false -no-color -reconfigure -lock=false',
      'plan -input=false -no-color -lock=false -out=plan.tfplan',
      'show -json -no-color plan.tfplan',
    ]);
    expect(calls().filter((c) => / apply /.test(` ${c} `))).toHaveLength(applied);
    expect(digest()).toBe(stateBefore);
    expect((await fleetState(server, ['api']))['api/api-dev']).toEqual(before['api/api-dev']);

    // Without plans (--no-change-sets), terraform is not run at all.
    const quiet = (await nucleonClient(server).send(`${extensionTargetPrefix}.PreviewRollout`, {
      templateName: 'tfplan-svc',
      targetMajorVersion: '1',
      targetMinorVersion: '1',
      changeSets: false,
    })) as Preview;
    expect(quiet.resources[0]!.changeSet).toBeUndefined();
    expect(calls()).toHaveLength(callsBefore + 3);
  });
});
