import { describe, expect, it } from 'vitest';
import { parseManifest } from './parse-manifest.js';

const CFN =
  'infrastructure:\n  templates:\n    - file: "cloudformation.yaml"\n      rendering_engine: jinja\n      template_language: cloudformation\n';
const TF_ALL =
  'infrastructure:\n  templates:\n    - file: "*"\n      rendering_engine: hcl\n      template_language: terraform\n';
const CODEBUILD = [
  'infrastructure:',
  '  templates:',
  '    - rendering_engine: codebuild',
  '      settings:',
  '        image: aws/codebuild/amazonlinux2-x86_64-standard:4.0',
  '        runtimes:',
  '          nodejs: 16',
  '        env:',
  '          variables:',
  '            TF_VERSION: 1.3.9',
  '          secrets-manager:',
  '            TOKEN: "proton/token:Secret"',
  '        provision:',
  '          - npm install',
  '          - npm run cdk deploy',
  '        deprovision:',
  '          - npm run cdk destroy',
  '        project_properties:',
  '          VpcConfig:',
  '            VpcId: "{{ environment.inputs.codebuild_vpc_id }}"',
  '',
].join('\n');

const paths = (...list: string[]): Set<string> => new Set(list);

function messages(
  text: string,
  files: Set<string>,
  dir = 'infrastructure',
  max?: number,
): string[] {
  return parseManifest(dir, text, files, max).problems.map((p) => p.message);
}

describe('parseManifest: valid manifests', () => {
  it('reads a Jinja CloudFormation manifest', () => {
    const { manifest, problems } = parseManifest(
      'infrastructure',
      CFN,
      paths('infrastructure/cloudformation.yaml'),
    );
    expect(problems).toEqual([]);
    expect(manifest).toEqual({
      engine: 'cloudformation',
      directory: 'infrastructure',
      files: ['infrastructure/cloudformation.yaml'],
    });
  });

  it('expands file: "*" to every top-level .tf file of the folder', () => {
    const files = paths(
      'infrastructure/main.tf',
      'infrastructure/outputs.tf',
      'infrastructure/README.md',
      'infrastructure/modules/vpc/main.tf',
      'other/x.tf',
    );
    expect(parseManifest('infrastructure', TF_ALL, files).manifest).toEqual({
      engine: 'terraform',
      directory: 'infrastructure',
      files: ['infrastructure/main.tf', 'infrastructure/outputs.tf'],
    });
  });

  it('accepts named Terraform files, in several entries', () => {
    const text = [
      'infrastructure:',
      '  templates:',
      '    - file: "main.tf"',
      '      rendering_engine: hcl',
      '      template_language: terraform',
      '    - file: "./variables.tf"',
      '      rendering_engine: hcl',
      '      template_language: terraform',
    ].join('\n');
    const { manifest } = parseManifest(
      'instance_infrastructure',
      text,
      paths('instance_infrastructure/main.tf', 'instance_infrastructure/variables.tf'),
    );
    expect(manifest?.files).toEqual([
      'instance_infrastructure/main.tf',
      'instance_infrastructure/variables.tf',
    ]);
  });

  it('reads a CodeBuild manifest with every setting', () => {
    const files = paths(
      'infrastructure/manifest.yaml',
      'infrastructure/package.json',
      'infrastructure/lib/stack.ts',
    );
    const { manifest, problems } = parseManifest('infrastructure', CODEBUILD, files);
    expect(problems).toEqual([]);
    expect(manifest).toEqual({
      engine: 'codebuild',
      directory: 'infrastructure',
      files: ['infrastructure/lib/stack.ts', 'infrastructure/package.json'],
      settings: {
        image: 'aws/codebuild/amazonlinux2-x86_64-standard:4.0',
        runtimes: { nodejs: '16' },
        env: {
          variables: { TF_VERSION: '1.3.9' },
          'secrets-manager': { TOKEN: 'proton/token:Secret' },
        },
        provision: ['npm install', 'npm run cdk deploy'],
        deprovision: ['npm run cdk destroy'],
        projectProperties: { VpcConfig: { VpcId: '{{ environment.inputs.codebuild_vpc_id }}' } },
        inputType: 'JSON',
      },
    });
  });

  it('reads the optional drift commands, and leaves them out when absent', () => {
    const text =
      'infrastructure:\n  templates:\n    - rendering_engine: codebuild\n      settings:\n        provision: [make apply]\n        deprovision: [make destroy]\n        drift: [make plan-check]\n';
    expect(parseManifest('infrastructure', text, paths()).manifest?.settings?.drift).toEqual([
      'make plan-check',
    ]);
    expect(
      parseManifest('infrastructure', CODEBUILD, paths()).manifest?.settings,
    ).not.toHaveProperty('drift');
  });

  it('reads input_type HCL on the entry', () => {
    const text =
      'infrastructure:\n  templates:\n    - rendering_engine: codebuild\n      input_type: HCL\n      settings:\n        provision: [terraform apply]\n        deprovision: [terraform destroy]\n';
    expect(parseManifest('infrastructure', text, paths()).manifest?.settings?.inputType).toBe(
      'HCL',
    );
  });
});

describe('parseManifest: problems', () => {
  const cfnFile = paths('infrastructure/cloudformation.yaml');
  const entry = (lines: string[]): string =>
    ['infrastructure:', '  templates:', ...lines.map((l) => `    ${l}`)].join('\n');

  it.each<[string, string, Set<string>, RegExp]>([
    ['invalid YAML', 'infrastructure: [\n', cfnFile, /^invalid YAML/],
    [
      'no templates',
      'infrastructure:\n  templates: []\n',
      cfnFile,
      /must contain "infrastructure: templates:" with at least one template entry/,
    ],
    [
      'a missing CloudFormation file',
      CFN,
      paths(),
      /^template file "cloudformation.yaml" named in the manifest does not exist in infrastructure\/$/,
    ],
    [
      '"*" for CloudFormation',
      CFN.replace('"cloudformation.yaml"', '"*"'),
      cfnFile,
      /names exactly one file; "\*" is for Terraform/,
    ],
    [
      'two CloudFormation entries',
      CFN + CFN.split('\n').slice(2).join('\n'),
      cfnFile,
      /^a cloudformation manifest has exactly one template entry$/,
    ],
    [
      'a file outside the folder',
      CFN.replace('"cloudformation.yaml"', '"../schema/schema.yaml"'),
      cfnFile,
      /is not a valid path inside infrastructure\/: "\.\." path segments are not allowed/,
    ],
    [
      'a glob other than "*"',
      TF_ALL.replace('"*"', '"*.tf"'),
      paths('infrastructure/a.tf'),
      /^file patterns other than "\*" are not supported: "\*.tf"$/,
    ],
    [
      'no .tf file for "*"',
      TF_ALL,
      paths('infrastructure/README.md'),
      /^no Terraform \(.tf\) file found in infrastructure\/$/,
    ],
    [
      'a Terraform entry without file',
      entry(['- rendering_engine: hcl', '  template_language: terraform']),
      cfnFile,
      /needs "file" naming the template file \(or "\*" for every .tf file\)/,
    ],
    [
      'jinja with terraform',
      entry(['- file: a.tf', '  rendering_engine: jinja', '  template_language: terraform']),
      cfnFile,
      /^unsupported rendering_engine "jinja" with template_language "terraform"; valid combinations: rendering_engine: jinja with template_language: cloudformation; rendering_engine: hcl with template_language: terraform; rendering_engine: codebuild without template_language$/,
    ],
    [
      'an unknown engine',
      entry(['- file: a', '  rendering_engine: mustache']),
      cfnFile,
      /^unsupported rendering_engine "mustache" with template_language null/,
    ],
    [
      'codebuild with a template_language',
      entry(['- rendering_engine: codebuild', '  template_language: cloudformation']),
      cfnFile,
      /unsupported rendering_engine "codebuild" with template_language "cloudformation"/,
    ],
    [
      'mixed engines',
      CFN + TF_ALL.split('\n').slice(2).join('\n'),
      paths('infrastructure/cloudformation.yaml', 'infrastructure/a.tf'),
      /^all templates of one manifest must use the same rendering engine$/,
    ],
    [
      'settings on a CloudFormation entry',
      entry([
        '- file: cloudformation.yaml',
        '  rendering_engine: jinja',
        '  template_language: cloudformation',
        '  settings: {}',
      ]),
      cfnFile,
      /^"settings" apply only to codebuild templates$/,
    ],
    [
      'codebuild without settings',
      entry(['- rendering_engine: codebuild']),
      cfnFile,
      /needs "settings" with "provision" and "deprovision" commands/,
    ],
    [
      'codebuild under "codebuild:" instead of "settings:"',
      entry(['- rendering_engine: codebuild', '  codebuild:', '    provision: [a]']),
      cfnFile,
      /needs "settings" with "provision" and "deprovision" commands/,
    ],
    [
      'codebuild without provision',
      entry(['- rendering_engine: codebuild', '  settings:', '    deprovision: [a]']),
      cfnFile,
      /^"provision" is required and must be a list of shell commands \(strings\)$/,
    ],
    [
      'codebuild with empty provision',
      entry([
        '- rendering_engine: codebuild',
        '  settings:',
        '    provision: []',
        '    deprovision: []',
      ]),
      cfnFile,
      /^"provision" must list at least one command$/,
    ],
    [
      'codebuild without deprovision',
      entry(['- rendering_engine: codebuild', '  settings:', '    provision: [a]']),
      cfnFile,
      /^"deprovision" is required/,
    ],
    [
      'a non-string command',
      entry([
        '- rendering_engine: codebuild',
        '  settings:',
        '    provision: [{run: a}]',
        '    deprovision: []',
      ]),
      cfnFile,
      /"provision" is required and must be a list of shell commands/,
    ],
    [
      'empty drift commands',
      entry([
        '- rendering_engine: codebuild',
        '  settings:',
        '    provision: [a]',
        '    deprovision: [b]',
        '    drift: []',
      ]),
      cfnFile,
      /^"drift" must list at least one command$/,
    ],
    [
      'bad env variables',
      entry([
        '- rendering_engine: codebuild',
        '  settings:',
        '    provision: [a]',
        '    deprovision: [b]',
        '    env:',
        '      variables: [A]',
      ]),
      cfnFile,
      /^"env.variables" must be a mapping/,
    ],
    [
      'a bad input_type',
      entry([
        '- rendering_engine: codebuild',
        '  input_type: YAML',
        '  settings:',
        '    provision: [a]',
        '    deprovision: [b]',
      ]),
      cfnFile,
      /^"input_type" must be JSON or HCL, not "YAML"$/,
    ],
    [
      'a file on a codebuild entry',
      entry([
        '- rendering_engine: codebuild',
        '  file: x',
        '  settings:',
        '    provision: [a]',
        '    deprovision: [b]',
      ]),
      cfnFile,
      /a codebuild template has no "file"/,
    ],
  ])('reports %s', (_label, text, files, message) => {
    const problems = messages(text, files);
    expect(
      problems.some((p) => message.test(p)),
      problems.join('\n'),
    ).toBe(true);
  });

  it('limits a manifest to 10 template files', () => {
    const files = new Set(Array.from({ length: 11 }, (_, i) => `infrastructure/f${i}.tf`));
    expect(messages(TF_ALL, files)).toEqual([
      'the manifest selects 11 template files; the limit is 10 (NUCLEON_TEMPLATE_MAX_FILES)',
    ]);
    expect(messages(TF_ALL, files, 'infrastructure', 20)).toEqual([]);
  });

  it('reports the manifest file and line', () => {
    const { problems } = parseManifest('pipeline_infrastructure', CFN, paths());
    expect(problems).toEqual([
      {
        file: 'pipeline_infrastructure/manifest.yaml',
        line: 3,
        message:
          'template file "cloudformation.yaml" named in the manifest does not exist in pipeline_infrastructure/',
      },
    ]);
  });
});

describe('parseManifest: the "engine" key of early bundles', () => {
  const cfnFile = paths('infrastructure/cloudformation.yaml');

  it('reads engine as rendering_engine, with a warning naming the line', () => {
    const text = CFN.replace('rendering_engine: jinja', 'engine: jinja');
    const { manifest, problems, warnings } = parseManifest('infrastructure', text, cfnFile);
    expect(problems).toEqual([]);
    expect(manifest).toEqual({
      engine: 'cloudformation',
      directory: 'infrastructure',
      files: ['infrastructure/cloudformation.yaml'],
    });
    expect(warnings).toEqual([
      {
        file: 'infrastructure/manifest.yaml',
        line: 4,
        message:
          '"engine" is read as "rendering_engine" (the key early Proton bundles used); write rendering_engine: jinja',
      },
    ]);
  });

  it('lets rendering_engine win when both are given, with a warning', () => {
    const same = CFN.replace(
      'rendering_engine: jinja',
      'rendering_engine: jinja\n      engine: jinja',
    );
    expect(parseManifest('infrastructure', same, cfnFile).warnings.map((w) => w.message)).toEqual([
      '"engine" repeats "rendering_engine"; remove it',
    ]);
    const other = CFN.replace(
      'rendering_engine: jinja',
      'rendering_engine: jinja\n      engine: hcl',
    );
    const result = parseManifest('infrastructure', other, cfnFile);
    expect(result.manifest?.engine).toBe('cloudformation');
    expect(result.warnings.map((w) => w.message)).toEqual([
      '"engine: hcl" is ignored: rendering_engine: jinja applies',
    ]);
  });

  it('reads engine: codebuild too', () => {
    const text = CODEBUILD.replace('rendering_engine: codebuild', 'engine: codebuild');
    const result = parseManifest('infrastructure', text, paths('infrastructure/cdk.json'));
    expect(result.problems).toEqual([]);
    expect(result.manifest?.engine).toBe('codebuild');
    expect(result.warnings).toHaveLength(1);
  });

  it('still refuses an engine it does not know, whichever key names it', () => {
    const text = CFN.replace('rendering_engine: jinja', 'engine: mustache');
    expect(messages(text, cfnFile)).toEqual([
      expect.stringContaining('unsupported rendering_engine "mustache"'),
    ]);
  });
});

describe('parseManifest: unknown keys are ignored with a warning, never refused', () => {
  it('accepts a manifest with unknown keys at every level and names each in a warning', () => {
    const text = [
      'owner: platform-team',
      'infrastructure:',
      '  description: x',
      '  templates:',
      '    - rendering_engine: codebuild',
      '      parameters: {}',
      '      settings:',
      '        provision: [a]',
      '        deprovision: [b]',
      '        buildspec: x',
      '',
    ].join('\n');
    const { manifest, problems, warnings } = parseManifest('infrastructure', text, new Set());
    expect(problems).toEqual([]);
    expect(manifest?.engine).toBe('codebuild');
    expect(manifest?.settings?.provision).toEqual(['a']);
    expect(warnings.map((w) => w.message)).toEqual([
      'unknown top-level key "owner" is ignored',
      'unknown key "infrastructure.description" is ignored',
      expect.stringMatching(
        /^unknown key "parameters" in a template entry \(known: .*\) is ignored$/,
      ),
      expect.stringMatching(/^unknown codebuild setting "buildspec" is ignored \(known: /),
    ]);
  });
});
