import { Command } from 'commander';
import type { ProtonClient } from '@nucleon/protocol';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { CliError, formatDuration, parseVersion } from '../src/commands/catalog-common.js';
import { commandTree } from '../src/commands/catalog-completion.js';
import {
  targetLabel,
  watchDeployments,
  type DeploymentDetails,
} from '../src/commands/catalog-deploy.js';
import {
  behindness,
  coerceSet,
  environmentSpec,
  instanceSpec,
  schemaInputs,
  updateTarget,
  type VersionRef,
} from '../src/commands/catalog-spec.js';

const schema = `schema:
  format:
    openapi: "3.0.0"
  environment_input_type: EnvInput
  types:
    EnvInput:
      type: object
      required: [name]
      properties:
        name: { type: string, description: the name }
        replicas: { type: integer, default: 1 }
        ratio: { type: number }
        public: { type: boolean, default: false }
        tags: { type: array }
`;

describe('catalog helpers', () => {
  it('reads the input properties of a schema', () => {
    const props = schemaInputs(schema, 'environment')!;
    expect(Object.keys(props)).toEqual(['name', 'replicas', 'ratio', 'public', 'tags']);
    expect(props.name).toEqual({ type: 'string', description: 'the name', required: true });
    expect(props.replicas).toEqual({ type: 'integer', default: 1, required: false });
    expect(schemaInputs(schema, 'pipeline')).toBeUndefined();
    expect(schemaInputs('not: [valid', 'environment')).toBeUndefined();
  });

  it('types --set values by the schema and explains mistakes', () => {
    const props = schemaInputs(schema, 'environment');
    expect(coerceSet('name=42', props, 't:1.0')).toEqual(['name', '42']);
    expect(coerceSet('replicas=3', props, 't:1.0')).toEqual(['replicas', 3]);
    expect(coerceSet('ratio=0.5', props, 't:1.0')).toEqual(['ratio', 0.5]);
    expect(coerceSet('public=true', props, 't:1.0')).toEqual(['public', true]);
    expect(coerceSet('tags=[a, b]', props, 't:1.0')).toEqual(['tags', ['a', 'b']]);
    expect(coerceSet('name=a=b', props, 't:1.0')).toEqual(['name', 'a=b']);
    expect(() => coerceSet('replicas=1.5', props, 't:1.0')).toThrow('expected an integer');
    expect(() => coerceSet('public=yes', props, 't:1.0')).toThrow('expected true or false');
    expect(() => coerceSet('name', props, 't:1.0')).toThrow('write it as key=value');
    const unknown = (() => {
      try {
        coerceSet('colour=red', props, 't:1.0');
      } catch (e) {
        return e as CliError;
      }
    })();
    expect(unknown?.message).toBe('--set colour: t:1.0 has no input named "colour".');
    expect(unknown?.hint).toBe('its inputs are: name, replicas, ratio, public, tags.');
    // Without a schema, YAML scalars.
    expect(coerceSet('n=7', undefined, 't')).toEqual(['n', 7]);
    expect(coerceSet('s=hello', undefined, 't')).toEqual(['s', 'hello']);
  });

  it('builds environment specs from a file, the current spec and --set values', () => {
    const full = '# mine\nproton: EnvironmentSpec\nspec:\n  name: a\n';
    expect(environmentSpec(full, [], undefined, 't')).toBe(full);
    expect(
      parse(environmentSpec(full, ['replicas=2'], schemaInputs(schema, 'environment'), 't')),
    ).toEqual({ proton: 'EnvironmentSpec', spec: { name: 'a', replicas: 2 } });
    expect(parse(environmentSpec('name: bare\n', [], undefined, 't'))).toEqual({
      proton: 'EnvironmentSpec',
      spec: { name: 'bare' },
    });
    expect(parse(environmentSpec(undefined, [], undefined, 't'))).toEqual({
      proton: 'EnvironmentSpec',
      spec: {},
    });
    expect(() => environmentSpec('- a list', [], undefined, 't')).toThrow('must be a YAML mapping');
  });

  it("changes only the given instance's inputs in a service spec", () => {
    const base =
      'proton: ServiceSpec\ninstances:\n  - name: a\n    environment: dev\n    spec:\n      port: 1\n  - name: b\n    environment: dev\n';
    const doc = parse(
      instanceSpec(base, { name: 'b', environmentName: 'dev' }, ['message=y'], undefined, 't'),
    ) as { instances: unknown };
    expect(doc.instances).toEqual([
      { name: 'a', environment: 'dev', spec: { port: 1 } },
      { name: 'b', environment: 'dev', spec: { message: 'y' } },
    ]);
    const fresh: unknown = parse(
      instanceSpec(undefined, { name: 'c', environmentName: 'prod' }, ['port=2'], undefined, 't'),
    );
    expect(fresh).toEqual({
      proton: 'ServiceSpec',
      instances: [{ name: 'c', environment: 'prod', spec: { port: 2 } }],
    });
  });

  it('tells how far a resource is behind the recommended version', () => {
    const refs: VersionRef[] = [
      { major: 1, minor: 0, status: 'PUBLISHED' },
      { major: 1, minor: 1, status: 'PUBLISHED' },
      { major: 1, minor: 2, status: 'DRAFT' },
    ];
    expect(behindness(refs, 1, 1)).toEqual({ behind: 'no', recommended: '1.1' });
    expect(behindness(refs, 1, 0)).toEqual({ behind: 'minor', recommended: '1.1' });
    const withMajor = [...refs, { major: 2, minor: 0, status: 'PUBLISHED' }];
    expect(behindness(withMajor, 1, 1)).toEqual({ behind: 'major', recommended: '2.0' });
    expect(behindness([], 1, 0)).toEqual({ behind: 'no', recommended: '' });
  });

  it('turns --minor and --major into the deployment type and the version whose schema types --set', () => {
    const refs: VersionRef[] = [
      { major: 1, minor: 0, status: 'PUBLISHED' },
      { major: 1, minor: 1, status: 'PUBLISHED' },
      { major: 2, minor: 0, status: 'PUBLISHED' },
    ];
    const cur = { major: 1, minor: 0 };
    expect(updateTarget(refs, cur, {})).toEqual({
      deploymentType: 'CURRENT_VERSION',
      major: 1,
      minor: 0,
    });
    expect(updateTarget(refs, cur, { minor: true })).toEqual({
      deploymentType: 'MINOR_VERSION',
      major: 1,
      minor: 1,
    });
    expect(updateTarget(refs, cur, { minor: '0' })).toEqual({
      deploymentType: 'MINOR_VERSION',
      templateMinorVersion: '0',
      major: 1,
      minor: 0,
    });
    expect(updateTarget(refs, cur, { major: true })).toEqual({
      deploymentType: 'MAJOR_VERSION',
      templateMajorVersion: '2',
      major: 2,
      minor: 0,
    });
    expect(updateTarget(refs, cur, { major: '2', minor: '0' })).toMatchObject({
      deploymentType: 'MAJOR_VERSION',
      templateMajorVersion: '2',
      templateMinorVersion: '0',
    });
    expect(() => updateTarget(refs, cur, { major: true, minor: true })).toThrow(
      'give --minor or --major, not both',
    );
    expect(() => updateTarget(refs, cur, { minor: 'x' })).toThrow('--minor takes a version number');
    expect(() => updateTarget(refs, { major: 1, minor: 1 }, { minor: true })).toThrow(
      'already on the recommended minor version of major 1 (1.1)',
    );
    expect(() => updateTarget(refs, { major: 2, minor: 0 }, { major: true })).toThrow(
      'already on the recommended major version (2)',
    );
  });

  it('formats versions, durations and deployment targets', () => {
    expect(parseVersion('1.12')).toEqual({ major: '1', minor: '12' });
    expect(() => parseVersion('v1')).toThrow(CliError);
    expect(formatDuration(4_400)).toBe('4s');
    expect(formatDuration(184_000)).toBe('3m04s');
    expect(formatDuration(3_720_000)).toBe('1h02m');
    expect(targetLabel({ targetResourceType: 'ENVIRONMENT', environmentName: 'dev' })).toBe('dev');
    expect(
      targetLabel({
        targetResourceType: 'SERVICE_INSTANCE',
        environmentName: 'dev',
        serviceName: 'web',
        serviceInstanceName: 'a',
      }),
    ).toBe('web/a');
    expect(
      targetLabel({
        targetResourceType: 'SERVICE_PIPELINE',
        environmentName: '',
        serviceName: 'web',
      }),
    ).toBe('web/pipeline');
  });

  it('walks the command tree for completion', () => {
    const program = new Command('x');
    program.command('a').option('--flag').option('-k, --kind <kind>').command('b');
    const tree = commandTree(program);
    expect(tree.map((n) => n.path)).toEqual(['', 'a', 'a b']);
    expect(tree[1]).toMatchObject({
      subcommands: ['b'],
      flags: ['--help', '--flag', '--kind', '-k'],
    });
    expect(tree[1]!.valueFlags).toEqual([{ flags: ['--kind', '-k'], choices: undefined }]);
  });

  describe('the live view', () => {
    // A deployment that logs one line per poll and fails on the third.
    const fakeClient = () => {
      let polls = 0;
      const afters: number[] = [];
      const client = {
        send: (_target: string, input: { id: string; afterEventId: number }) => {
          afters.push(input.afterEventId);
          polls++;
          const status = polls < 3 ? 'IN_PROGRESS' : 'FAILED';
          const details: DeploymentDetails = {
            deployment: {
              id: input.id,
              deploymentStatus: status,
              ...(status === 'FAILED'
                ? { deploymentStatusMessage: 'boom', completedAt: 1_700_000_002 }
                : {}),
              targetArn: 'arn',
              targetResourceType: 'ENVIRONMENT',
              environmentName: 'dev',
              createdAt: 1_700_000_000,
            },
            engine: 'codebuild',
            operation: 'DEPLOY',
            events: [
              {
                id: polls,
                at: 1_700_000_000 + polls,
                kind: polls === 2 ? 'stderr' : 'stdout',
                message: `line ${polls}`,
              },
            ],
          };
          return Promise.resolve(details);
        },
      } as unknown as ProtonClient;
      return { client, afters };
    };
    const stream = (isTTY: boolean) => {
      let text = '';
      return {
        out: {
          isTTY,
          columns: 80,
          write: (s: string) => ((text += s), true),
        } as unknown as NodeJS.WriteStream,
        text: () => text,
      };
    };

    it('prints plain lines when not on a terminal, asking only for new events', async () => {
      const { client, afters } = fakeClient();
      const { out, text } = stream(false);
      const result = await watchDeployments(client, ['d-1'], { out, intervalMs: 1 });
      expect(result.ok).toBe(false);
      expect(afters).toEqual([0, 1, 2]);
      expect(text()).toBe(
        [
          'deployment d-1 · deploy environment dev · codebuild',
          '  22:13:21 line 1',
          'dev: IN_PROGRESS (' + text().match(/IN_PROGRESS \((\S+)\)/)![1] + ')',
          '  22:13:22 ! line 2',
          '  22:13:23 line 3',
          '✗ dev: FAILED after 2s — boom',
          '',
        ].join('\n'),
      );
      expect(text()).not.toContain('\x1b');
    });

    it('redraws one status line under the log on a terminal', async () => {
      const { client } = fakeClient();
      const { out, text } = stream(true);
      await watchDeployments(client, ['d-1'], { out, intervalMs: 1 });
      expect(text()).toMatch(/\r\x1b\[2K. dev IN_PROGRESS \S+/);
      expect(text()).toContain('\r\x1b[2K  22:13:22 ! line 2\n');
      expect(text().endsWith('✗ dev: FAILED after 2s — boom\n')).toBe(true);
    });
  });
});
