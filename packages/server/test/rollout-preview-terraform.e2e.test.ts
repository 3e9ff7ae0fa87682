import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { extensionTargetPrefix } from '@nucleon/protocol';
import { startTestServer, type TestServer } from '@nucleon/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findExecutable } from './engines/helpers.js';
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

const terraform = findExecutable('terraform') ?? findExecutable('tofu');
if (terraform === undefined)
  console.warn(
    'skipping the terraform plan preview test: no terraform or tofu on PATH (terraform is not part of the documented image, so this skip is allowed even when CI=true)',
  );

/**
 * `terraform plan` in previews where Terraform runs on the runner (terraform-cli), with the real
 * terraform found on PATH and configurations of the built-in `terraform_data` resource (no
 * provider can be downloaded here). An instance deployed on 1.0 is previewed on 1.1, which
 * updates one resource, replaces one (`triggers_replace`), removes one and adds one.
 */
describe.skipIf(terraform === undefined)('rollout preview: terraform plan on the runner', () => {
  let server: TestServer;
  const saved = process.env.PATH;

  beforeAll(async () => {
    // The server finds terraform on its PATH, as in production.
    process.env.PATH = `${dirname(terraform!)}:${saved ?? ''}`;
    server = await startTestServer({ dialect: 'pglite' });
    await createFleet(server, 'tfplan-svc', ['api'], {}, ['dev'], 'svc-terraform-plan-1_0');
    await publishMinor(server, 'tfplan-svc', 'svc-terraform-plan-1_1');
  }, 300_000);
  afterAll(async () => {
    await server?.stop();
    process.env.PATH = saved;
  });

  it('summarises terraform plan against the instance’s state, read-only', async () => {
    const before = await fleetState(server, ['api']);
    expect(before['api/api-dev']).toMatchObject({ version: '1.0', status: 'SUCCEEDED' });
    const stateRoot = join(server.nucleon.config.dataDir, 'terraform-state');
    const files = () =>
      readdirSync(stateRoot, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => join(e.parentPath, e.name));
    const [stateFile, ...others] = files();
    expect(others).toEqual([]);
    const state = () => readFileSync(stateFile!, 'utf8');
    const stateBefore = state();
    const ids = Object.fromEntries(
      (
        JSON.parse(stateBefore) as {
          resources: Array<{ name: string; instances: Array<{ attributes: { id: string } }> }>;
        }
      ).resources.map((r) => [`terraform_data.${r.name}`, r.instances[0]!.attributes.id]),
    );

    const preview = (await nucleonClient(server).send(`${extensionTargetPrefix}.PreviewRollout`, {
      templateName: 'tfplan-svc',
      targetMajorVersion: '1',
      targetMinorVersion: '1',
    })) as Preview;
    const [r] = preview.resources;
    expect(r).toMatchObject({ serviceInstanceName: 'api-dev', engine: 'terraform-cli' });
    expect(r!.changeSet).toMatchObject({
      status: 'PLANNED',
      statusReason: expect.stringMatching(
        /^(terraform|tofu) \d+\.\d+.* plan \(read-only, -lock=false\)$/,
      ),
      summary: { adds: 1, modifications: 2, removals: 1, replacements: 1 },
      statefulReplacements: [],
    });
    const byAddress = Object.fromEntries(
      r!.changeSet!.changes.map((c) => [c.logicalResourceId, c]),
    );
    expect(byAddress).toEqual({
      'terraform_data.audit': expect.objectContaining({
        action: 'Add',
        resourceType: 'terraform_data',
      }),
      'terraform_data.owner': expect.objectContaining({
        action: 'Modify',
        replacement: 'False',
        physicalResourceId: ids['terraform_data.owner'],
      }),
      // The ids are the ones in the instance's state: the plan ran against it.
      'terraform_data.data': expect.objectContaining({
        action: 'Modify',
        replacement: 'True',
        physicalResourceId: ids['terraform_data.data'],
        destroysData: false,
      }),
      'terraform_data.jobs': expect.objectContaining({
        action: 'Remove',
        physicalResourceId: ids['terraform_data.jobs'],
      }),
    });

    // Read-only: the state is byte for byte what it was, no lock or plan file is left, and the
    // instance is still on 1.0 with the same deployment.
    expect(state()).toBe(stateBefore);
    expect(files()).toEqual([stateFile]);
    expect(existsSync(`${stateFile!}.lock.info`)).toBe(false);
    expect((await fleetState(server, ['api']))['api/api-dev']).toEqual(before['api/api-dev']);
  });
});
