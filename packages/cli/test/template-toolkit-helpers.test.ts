import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCloudFormationYaml } from '../src/commands/template-cfn-yaml.js';
import { TemplateToolkitError } from '../src/commands/template-errors.js';
import {
  assertSafeRelativePath,
  resolveInside,
  writeFileTree,
} from '../src/commands/template-files.js';
import { templateRef } from '../src/commands/template-bundle.js';
import { renderJinjaFile } from '../src/commands/template-jinja.js';
import { createRenderer } from '@nucleon/templates';

describe('template toolkit output paths', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nucleon-template-paths-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(['../escape.yaml', 'a/../../b', '/etc/passwd', 'C:/x', 'a\\b', 'a//b', './a', 'a/.', ''])(
    'refuses the computed path %j',
    (path) => {
      expect(() => assertSafeRelativePath(path)).toThrow(TemplateToolkitError);
    },
  );

  it('accepts nested relative paths, dot-files included', () => {
    expect(resolveInside(dir, '.proton/deployment-metadata.json')).toBe(
      join(dir, '.proton', 'deployment-metadata.json'),
    );
    expect(resolveInside(dir, 'api-prod/lib/handler.js')).toBe(
      join(dir, 'api-prod', 'lib', 'handler.js'),
    );
  });

  it('does not write through a symbolic link that leads outside the output folder', async () => {
    const out = join(dir, 'out');
    const outside = join(dir, 'outside');
    mkdirSync(out);
    mkdirSync(outside);
    symlinkSync(outside, join(out, 'link'));
    await expect(
      writeFileTree(out, new Map([['link/x.yaml', new Uint8Array([1])]])),
    ).rejects.toThrow(/leads outside/);
    expect(existsSync(join(outside, 'x.yaml'))).toBe(false);
  });
});

describe('CloudFormation YAML with intrinsic short tags', () => {
  it('reads scalar, sequence and mapping forms as their long forms', () => {
    const text = [
      'Resources:',
      '  A:',
      '    Properties:',
      '      Ref1: !Ref Bucket',
      '      Att: !GetAtt Bucket.Arn.Suffix',
      '      Sub: !Sub ["${A}", {A: !Ref B}]',
      '      Map: !Transform {Name: AWS::Include}',
      '      Azs: !Select [0, !GetAZs ""]',
      '      Cond: !And [!Equals [a, b], !Not [!Condition C], !Or [!Condition D, !Condition E]]',
      '      More: [!Base64 x, !Cidr [c, 2, 8], !ImportValue v, !Join [",", [a]], !Split [",", a], !FindInMap [M, k, v]]',
      '      Last: [!If [C, a, b], !ToJsonString {a: 1}, !Length [a]]',
    ].join('\n');
    const { value, problems } = parseCloudFormationYaml(text, 'cfn.yaml');
    expect(problems).toEqual([]);
    const props = (value as { Resources: { A: { Properties: Record<string, unknown> } } }).Resources
      .A.Properties;
    expect(props.Ref1).toEqual({ Ref: 'Bucket' });
    expect(props.Att).toEqual({ 'Fn::GetAtt': ['Bucket', 'Arn.Suffix'] });
    expect(props.Sub).toEqual({ 'Fn::Sub': ['${A}', { A: { Ref: 'B' } }] });
    expect(props.Map).toEqual({ 'Fn::Transform': { Name: 'AWS::Include' } });
    expect(props.Azs).toEqual({ 'Fn::Select': [0, { 'Fn::GetAZs': '' }] });
    expect(props.Cond).toEqual({
      'Fn::And': [
        { 'Fn::Equals': ['a', 'b'] },
        { 'Fn::Not': [{ Condition: 'C' }] },
        { 'Fn::Or': [{ Condition: 'D' }, { Condition: 'E' }] },
      ],
    });
    expect(props.Last).toEqual([
      { 'Fn::If': ['C', 'a', 'b'] },
      { 'Fn::ToJsonString': { a: 1 } },
      { 'Fn::Length': ['a'] },
    ]);
  });

  it('treats unknown tags, duplicate keys and non-mappings as problems with their line', () => {
    expect(parseCloudFormationYaml('A: 1\nB: !Reff x\n', 't.yaml').problems).toEqual([
      { file: 't.yaml', line: 2, message: expect.stringContaining('!Reff') },
    ]);
    expect(parseCloudFormationYaml('A: 1\nA: 2\n', 't.yaml').problems[0]?.line).toBe(2);
    expect(parseCloudFormationYaml('- a\n', 't.yaml').problems[0]?.message).toContain(
      'must be a mapping',
    );
  });
});

describe('template names in generated ARNs', () => {
  it('uses the bundle folder, or the template-sync layout <name>/v<major>/', () => {
    expect(templateRef('/repo/templates/fargate-env')).toEqual({
      name: 'fargate-env',
      majorVersion: '1',
      minorVersion: '0',
    });
    expect(templateRef('/repo/fargate-env/v2')).toEqual({
      name: 'fargate-env',
      majorVersion: '2',
      minorVersion: '0',
    });
  });
});

describe('rendering with values the context lacks', () => {
  const renderer = createRenderer();

  it('names every missing value with its line, the most specific name each time', () => {
    const source =
      'a: {{ environment.outputs.VpcId }}\nb: {{ service.name }}\nc: {{ service.branch_name }}';
    const result = renderJinjaFile(
      renderer,
      source,
      { environment: { outputs: {} } },
      'cf.yaml',
      'instance "x"',
    );
    expect(result).toEqual({
      ok: false,
      problems: [
        'cf.yaml:1: environment.outputs.VpcId is undefined (instance "x")',
        'cf.yaml:2: service.name is undefined (instance "x")',
        'cf.yaml:3: service.branch_name is undefined (instance "x")',
        expect.stringContaining(
          'not defined: environment.outputs.VpcId, service.name, service.branch_name',
        ),
      ],
    });
  });

  it("looks inside the pipeline's service_instance loop variable", () => {
    const source =
      '{% for service_instance in service_instances %}{{ service_instance.outputs.Url }}{% endfor %}\n{{ service.name }}';
    const context = {
      service_instances: [
        { name: 'a', outputs: {} },
        { name: 'b', outputs: {} },
      ],
    };
    const result = renderJinjaFile(renderer, source, context, 'p.yaml', 'pipeline');
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.problems.slice(0, 2)).toEqual([
      'p.yaml:1: service_instance.outputs.Url is undefined (pipeline)',
      'p.yaml:2: service.name is undefined (pipeline)',
    ]);
  });

  it('reports other render errors as they are', () => {
    const result = renderJinjaFile(
      renderer,
      "{{ 'x' | proton_cfn_sanitize }}{{ 'a b' | proton_cfn_sanitize }}",
      {},
      't.yaml',
      'environment',
    );
    expect(result.ok ? [] : result.problems).toEqual([
      expect.stringMatching(/^t\.yaml:1: Illegal character\(s\) detected in "a b"/),
    ]);
  });
});
