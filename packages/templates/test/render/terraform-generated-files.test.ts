/**
 * The generated Terraform files must type-check together: for each resource kind, Terraform
 * itself loads `proton.<kind>.variables.tf` plus `proton.auto.tfvars.json` and evaluates outputs
 * that read the namespaces. Runs only where a `terraform` binary is on PATH (it is not installable
 * from the registries this project uses), and says so when it skips.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  terraformTfvarsJson,
  terraformVariablesFileName,
  terraformVariablesTf,
  type TerraformResource,
} from '../../src/render/index.js';

const hasTerraform = spawnSync('terraform', ['version'], { encoding: 'utf8' }).status === 0;
const env = { name: 'prod', account_id: '123456789012', outputs: { vpc_id: 'vpc-1' } };
const meta = {
  resourceArn: 'arn:aws:proton:us-east-1:123456789012:x',
  protonTags: { 'proton:account': '123456789012' },
};

const resources: Array<[TerraformResource, string]> = [
  [
    { kind: 'environment', name: 'prod', inputs: { cidr: '10.0.0.0/16', count: 2 } },
    'var.environment.inputs.count',
  ],
  [
    {
      kind: 'service_instance',
      environment: env,
      service: { name: 's' },
      instance: { name: 'i', inputs: { port: 80 } },
    },
    'var.service_instance.inputs.port',
  ],
  [
    {
      kind: 'pipeline',
      service: { name: 's', branch_name: 'main' },
      pipelineInputs: { img: 'x' },
      instances: [{ name: 'i', inputs: { a: true }, outputs: { Url: 'u' }, environment: env }],
    },
    'var.service_instances[0].inputs.a',
  ],
  [
    { kind: 'component', component: { name: 'c' }, environment: env },
    'var.environment.outputs.vpc_id',
  ],
];

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe.skipIf(!hasTerraform)(
  `generated Terraform files load in terraform${hasTerraform ? '' : ' (terraform not on PATH: skipped)'}`,
  () => {
    it.each(resources.map((r) => [r[0].kind, r[0], r[1]] as const))(
      '%s',
      (kind, resource, expression) => {
        const dir = mkdtempSync(join(tmpdir(), `nucleon-tf-${kind}-`));
        dirs.push(dir);
        writeFileSync(join(dir, terraformVariablesFileName(kind)), terraformVariablesTf(kind));
        writeFileSync(join(dir, 'proton.auto.tfvars.json'), terraformTfvarsJson(resource, meta));
        writeFileSync(
          join(dir, 'main.tf'),
          `output "probe" {\n  value = ${expression}\n}\noutput "tags" {\n  value = var.proton_tags\n}\n`,
        );
        const run = (args: string[]): string =>
          execFileSync('terraform', args, {
            cwd: dir,
            encoding: 'utf8',
            env: { ...process.env, TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1' },
          });
        run(['init', '-input=false', '-no-color']);
        run(['apply', '-auto-approve', '-input=false', '-no-color']);
        const outputs = JSON.parse(run(['output', '-json'])) as Record<string, { value: unknown }>;
        expect(typeof outputs.probe?.value).toBe('string');
        expect(outputs.tags?.value).toEqual(meta.protonTags);
      },
    );
  },
);
