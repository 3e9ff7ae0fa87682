import {
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, runCli } from './run-cli.js';

const fixtures = fileURLToPath(new URL('./fixtures/template-toolkit/', import.meta.url));
const bundle = (name: string): string => join(fixtures, name);
const spec = (name: string): string => join(fixtures, 'specs', name);

/** Every file under `dir`, as sorted POSIX paths relative to it. */
function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else out.push(relative(dir, path).split(sep).join('/'));
    }
  };
  walk(dir);
  return out.sort();
}

describe('nucleon template render and --help, run as a user runs them', () => {
  const work = mkdtempSync(join(tmpdir(), 'nucleon-template-'));
  let counter = 0;
  const outDir = (): string => join(work, `out-${++counter}`);
  beforeAll(() => assertBuilt());
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  describe('render', () => {
    it('writes the rendered CloudFormation template of an environment under its bundle file name', async () => {
      const out = outDir();
      const fixture = join(bundle('cfn-env'), 'test', 'basic');
      const result = await runCli([
        'template',
        'render',
        bundle('cfn-env'),
        '--spec',
        join(fixture, 'spec.yaml'),
        '--context',
        join(fixture, 'context.json'),
        '--out',
        out,
      ]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(listFiles(out)).toEqual(['cloudformation.yaml']);
      expect(result.stdout).toContain(`wrote ${join(out, 'cloudformation.yaml')}`);
      const text = readFileSync(join(out, 'cloudformation.yaml'), 'utf8');
      expect(text).toContain('Description: Shared VPC and ECS cluster for the prod environment');
      expect(text).toContain("CidrBlock: '10.0.0.0/16'"); // schema default
      expect(text).toContain('PublicSubnet3:'); // spec value 3
      expect(text).toContain('Value: enabled');
    });

    it('renders a spec with an undeclared input, leaving it out and warning on stderr', async () => {
      const out = outDir();
      const fixture = join(bundle('cfn-env'), 'test', 'basic');
      const specFile = join(work, 'undeclared-spec.yaml');
      writeFileSync(
        specFile,
        `${readFileSync(join(fixture, 'spec.yaml'), 'utf8')}  packaging_commands: make\n`,
      );
      const result = await runCli([
        'template',
        'render',
        bundle('cfn-env'),
        '--spec',
        specFile,
        '--context',
        join(fixture, 'context.json'),
        '--out',
        out,
      ]);
      expect(result.code).toBe(0);
      expect(result.stderr).toBe(
        `warning: ${specFile}: spec: undeclared input "packaging_commands" is ignored (the template's schema does not declare it)\n`,
      );
      expect(readFileSync(join(out, 'cloudformation.yaml'), 'utf8')).toContain('PublicSubnet3:');
    });

    it('renders every instance and the pipeline of a service into their own folders', async () => {
      const out = outDir();
      const result = await runCli([
        'template',
        'render',
        bundle('service'),
        '--spec',
        spec('service.yaml'),
        '--context',
        spec('service-context.json'),
        '--out',
        out,
      ]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(listFiles(out)).toEqual([
        'api-dev/cloudformation.yaml',
        'api-prod/cloudformation.yaml',
        'pipeline/cloudformation.yaml',
      ]);
      const prod = readFileSync(join(out, 'api-prod', 'cloudformation.yaml'), 'utf8');
      expect(prod).toContain("Cluster: 'prod-cluster'"); // environments.prod
      expect(prod).toContain("Value: '222222222222'");
      expect(prod).toContain('ContainerPort: 8080');
      const dev = readFileSync(join(out, 'api-dev', 'cloudformation.yaml'), 'utf8');
      expect(dev).toContain("Cluster: 'shared-cluster'"); // falls back to environment
      expect(dev).toContain('ContainerPort: 80'); // schema default
      const pipeline = readFileSync(join(out, 'pipeline', 'cloudformation.yaml'), 'utf8');
      expect(pipeline).toContain('docker build -f docker/Dockerfile');
      expect(pipeline).toContain(`Outputs: '{"ServiceName": "web-api-prod"}'`);
      expect(pipeline).toContain("Repo: 'acme/web'");
    });

    it('renders one instance with --instance and only the pipeline with --pipeline', async () => {
      const one = outDir();
      const instance = await runCli([
        'template',
        'render',
        bundle('service'),
        '--spec',
        spec('service.yaml'),
        '--context',
        spec('service-context.json'),
        '--instance',
        'api-dev',
        '--out',
        one,
      ]);
      expect(instance.code).toBe(0);
      expect(listFiles(one)).toEqual(['cloudformation.yaml']);
      expect(readFileSync(join(one, 'cloudformation.yaml'), 'utf8')).toContain(
        'web instance api-dev in dev',
      );
      const two = outDir();
      const pipeline = await runCli([
        'template',
        'render',
        bundle('service'),
        '--spec',
        spec('service.yaml'),
        '--context',
        spec('service-context.json'),
        '--pipeline',
        '--out',
        two,
      ]);
      expect(pipeline.code).toBe(0);
      expect(listFiles(two)).toEqual(['cloudformation.yaml']);
      expect(readFileSync(join(two, 'cloudformation.yaml'), 'utf8')).toContain(
        'Description: Pipeline for web',
      );
    });

    it('writes the Terraform workspace: the .tf files plus the generated variables, tfvars and metadata', async () => {
      const out = outDir();
      const fixture = join(bundle('terraform-env'), 'test', 'basic');
      const result = await runCli([
        'template',
        'render',
        bundle('terraform-env'),
        '--spec',
        join(fixture, 'spec.yaml'),
        '--context',
        join(fixture, 'context.json'),
        '--out',
        out,
      ]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(listFiles(out)).toEqual([
        '.proton/deployment-metadata.json',
        'main.tf',
        'outputs.tf',
        'proton.auto.tfvars.json',
        'proton.environment.variables.tf',
      ]);
      expect(readFileSync(join(out, 'main.tf'), 'utf8')).toBe(
        readFileSync(join(bundle('terraform-env'), 'infrastructure', 'main.tf'), 'utf8'),
      );
      const tfvars = JSON.parse(
        readFileSync(join(out, 'proton.auto.tfvars.json'), 'utf8'),
      ) as Record<string, unknown>;
      expect(tfvars.environment).toEqual({
        name: 'tf-prod',
        inputs: { vpc_cidr: '10.1.0.0/16', flow_logs: 'true', az_count: '2' },
      });
      expect(tfvars['//']).toBe('arn:aws:proton:us-east-1:333333333333:environment/tf-prod');
      const metadata = JSON.parse(
        readFileSync(join(out, '.proton', 'deployment-metadata.json'), 'utf8'),
      ) as Record<string, unknown>;
      expect(metadata).toEqual({
        deploymentId: '00000000-0000-0000-0000-000000000000',
        isResourceDeleted: false,
        resourceMetadata: {
          arn: 'arn:aws:proton:us-east-1:333333333333:environment/tf-prod',
          templateArn: 'arn:aws:proton:us-east-1:333333333333:environment-template/terraform-env',
          templateMajorVersion: '1',
          templateMinorVersion: '0',
        },
      });
      expect(readFileSync(join(out, 'proton.environment.variables.tf'), 'utf8')).toContain(
        'variable "proton_tags"',
      );
    });

    it('writes the CodeBuild workspace: the folder files, still executable, and proton-inputs.json with typed inputs', async () => {
      const out = outDir();
      const fixture = join(bundle('codebuild-svc'), 'test', 'one-instance');
      const result = await runCli([
        'template',
        'render',
        bundle('codebuild-svc'),
        '--spec',
        join(fixture, 'spec.yaml'),
        '--context',
        join(fixture, 'context.json'),
        '--instance',
        'fn-prod',
        '--out',
        out,
      ]);
      expect(result.code).toBe(0);
      expect(listFiles(out)).toEqual([
        'deploy.sh',
        'destroy.sh',
        'lib/handler.js',
        'package.json',
        'proton-inputs.json',
      ]);
      expect(statSync(join(out, 'deploy.sh')).mode & 0o100).toBe(0o100);
      const inputs = JSON.parse(readFileSync(join(out, 'proton-inputs.json'), 'utf8')) as Record<
        string,
        unknown
      >;
      expect(inputs).toEqual({
        environment: { account_id: '444444444444', name: 'prod', outputs: { VpcId: 'vpc-123' } },
        service: { name: 'fn' },
        service_instance: {
          name: 'fn-prod',
          inputs: { memory: 512, subnets: ['subnet-a', 'subnet-b'], runtime: 'nodejs20.x' },
        },
      });
    });

    it('refuses a spec with a wrongly typed input and writes nothing', async () => {
      const out = outDir();
      const result = await runCli([
        'template',
        'render',
        bundle('service'),
        '--spec',
        spec('service-bad-port.yaml'),
        '--context',
        spec('service-context.json'),
        '--out',
        out,
      ]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        `${spec('service-bad-port.yaml')}:3: instance "api-prod": spec.port must be number`,
      );
      expect(result.stderr).toContain('instance "api-dev": spec: missing required input "image"');
      expect(existsSync(out)).toBe(false);
    });

    it('names every output the context lacks, with file and line, and writes nothing', async () => {
      const out = outDir();
      const fixture = join(bundle('missing-output'), 'test', 'default');
      const result = await runCli([
        'template',
        'render',
        bundle('missing-output'),
        '--spec',
        join(fixture, 'spec.yaml'),
        '--context',
        join(fixture, 'context.json'),
        '--out',
        out,
      ]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        'instance_infrastructure/cloudformation.yaml:10: environment.outputs.VpcId is undefined (instance "queue")',
      );
      expect(result.stderr).toContain(
        'instance_infrastructure/cloudformation.yaml:11: environment.outputs.PrivateSubnetIds is undefined',
      );
      expect(result.stderr).toContain(
        'not defined: environment.outputs.VpcId, environment.outputs.PrivateSubnetIds',
      );
      expect(result.stderr).not.toContain('EndpointService'); // `| default(...)` makes it safe
      expect(existsSync(out)).toBe(false);
    });

    it('names the context values generated Terraform files need when they are missing', async () => {
      const result = await runCli([
        'template',
        'render',
        bundle('terraform-env'),
        '--spec',
        join(bundle('terraform-env'), 'test', 'basic', 'spec.yaml'),
        '--out',
        outDir(),
      ]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('proton.auto.tfvars.json needs environment.name');
    });

    it('refuses contradictory or unknown targets and a malformed context', async () => {
      const base = [
        'template',
        'render',
        bundle('service'),
        '--spec',
        spec('service.yaml'),
        '--out',
        outDir(),
      ];
      const both = await runCli([...base, '--instance', 'api-dev', '--pipeline']);
      expect(both.code).toBe(1);
      expect(both.stderr).toContain('--instance and --pipeline cannot be used together');
      const unknown = await runCli([...base, '--instance', 'nope']);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain(
        'no instance named "nope"; the spec has "api-prod", "api-dev"',
      );
      const context = join(work, 'bad-context.json');
      writeFileSync(context, JSON.stringify({ environment: { account_id: 42 }, extra: true }));
      const bad = await runCli([...base, '--context', context]);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain(`${context}: extra is not a known key`);
      expect(bad.stderr).toContain(`${context}: environment.account_id must be a non-empty string`);
      const missing = await runCli([
        'template',
        'render',
        bundle('service'),
        '--spec',
        spec('service.yaml'),
      ]);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain("required option '--out <dir>' not specified");
    });
  });

  describe('--help', () => {
    it('documents every subcommand, its flags, the context file and the fixture layout', async () => {
      const group = await runCli(['template', '--help']);
      expect(group.code).toBe(0);
      expect(group.stdout).toMatch(
        /lint \[options\] <bundle-dir>[\s\S]*render \[options\] <bundle-dir>[\s\S]*test \[options\] <bundle-dir>/,
      );
      const lint = await runCli(['template', 'lint', '--help']);
      for (const flag of ['--kind <kind>', '--customer-managed', '--no-pipeline'])
        expect(lint.stdout).toContain(flag);
      const render = await runCli(['template', 'render', '--help']);
      for (const text of [
        '--spec <spec.yaml>',
        '--instance <name>',
        '--pipeline',
        '--context <context.json>',
        '--out <dir>',
        '00000000-0000-0000-0000-000000000000',
        'us-east-1',
        '"instance_outputs"',
      ]) {
        expect(render.stdout).toContain(text);
      }
      const test = await runCli(['template', 'test', '--help']);
      for (const text of [
        '--previous <bundle-dir>',
        '--update',
        'test/<name>/spec.yaml',
        'test/<name>/context.json',
        'test/<name>/__snapshots__/',
      ]) {
        expect(test.stdout).toContain(text);
      }
    });
  });
});
