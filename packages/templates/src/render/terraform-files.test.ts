import { describe, expect, it } from 'vitest';
import { RenderError } from './render-error.js';
import {
  deploymentMetadataJson,
  hclErrorLocation,
  parseTerraformFiles,
  stringifyInputs,
  terraformTfvarsJson,
  terraformVariablesFileName,
  terraformVariablesTf,
  type TerraformKind,
} from './terraform-files.js';

const env = { name: 'prod', account_id: '123456789012', outputs: { vpc_arn: 'arn:aws:ec2:vpc' } };

describe('Terraform generated files', () => {
  it('declares the environment namespace as Proton did', () => {
    expect(terraformVariablesFileName('environment')).toBe('proton.environment.variables.tf');
    expect(terraformVariablesTf('environment')).toBe(
      [
        'variable "environment" {',
        '  type = object({ inputs = map(string), name = string })',
        '  default = null',
        '}',
        '',
        'variable "proton_tags" {',
        '  type = map(string)',
        '  default = null',
        '}',
        '',
      ].join('\n'),
    );
  });

  it.each<TerraformKind>(['environment', 'service_instance', 'pipeline', 'component'])(
    'writes a %s variables file that hcl2json parses',
    async (kind) => {
      const parsed = await parseTerraformFiles({
        [terraformVariablesFileName(kind)]: terraformVariablesTf(kind),
      });
      const vars = parsed[terraformVariablesFileName(kind)]?.variable as Record<string, unknown>;
      expect(Object.keys(vars)).toContain('proton_tags');
    },
  );
});

describe('Terraform tfvars', () => {
  it('writes tfvars with string inputs, the ARN comment and proton_tags', () => {
    const json = terraformTfvarsJson(
      {
        kind: 'service_instance',
        environment: env,
        service: { name: 'svc' },
        instance: {
          name: 'inst',
          inputs: { function_name: 'f', memory: 512, on: true, subnets: ['a', 'b'] },
        },
      },
      {
        resourceArn: 'arn:aws:proton:us-east-1:123456789012:service/svc/service-instance/inst',
        protonTags: { 'proton:account': '123456789012' },
      },
    );
    const doc = JSON.parse(json) as Record<string, unknown>;
    expect(Object.keys(doc)).toEqual([
      'environment',
      'service',
      'service_instance',
      '//',
      'proton_tags',
    ]);
    expect(doc.service_instance).toEqual({
      name: 'inst',
      inputs: { function_name: 'f', memory: '512', on: 'true', subnets: '["a","b"]' },
    });
    expect(doc.environment).toEqual({
      account_id: '123456789012',
      name: 'prod',
      outputs: { vpc_arn: 'arn:aws:ec2:vpc' },
    });
    expect(doc['//']).toBe(
      'arn:aws:proton:us-east-1:123456789012:service/svc/service-instance/inst',
    );
  });

  it('stringifies inputs the way map(string) needs', () => {
    expect(stringifyInputs({ s: 'x', n: 1.5, b: false, o: { a: 1 }, u: undefined })).toEqual({
      s: 'x',
      n: '1.5',
      b: 'false',
      o: '{"a":1}',
    });
  });
});

describe('deployment metadata', () => {
  it('writes deployment metadata for resources and components', () => {
    const resource = JSON.parse(
      deploymentMetadataJson({
        deploymentId: 'd1',
        isResourceDeleted: false,
        arn: 'arn:r',
        templateArn: 'arn:t',
        templateMajorVersion: '1',
        templateMinorVersion: '0',
        environmentArn: 'arn:e',
      }),
    ) as Record<string, unknown>;
    expect(resource).toEqual({
      deploymentId: 'd1',
      isResourceDeleted: false,
      resourceMetadata: {
        arn: 'arn:r',
        templateArn: 'arn:t',
        templateMajorVersion: '1',
        templateMinorVersion: '0',
        environmentArn: 'arn:e',
      },
    });
    const component = JSON.parse(
      deploymentMetadataJson({
        deploymentId: 'd2',
        isResourceDeleted: true,
        arn: 'arn:c',
        component: true,
      }),
    ) as Record<string, unknown>;
    expect(component).toEqual({
      deploymentId: 'd2',
      isResourceDeleted: true,
      componentMetadata: { arn: 'arn:c' },
    });
  });
});

describe('parseTerraformFiles', () => {
  it('parses .tf files and ignores others', async () => {
    const out = await parseTerraformFiles({
      'main.tf': 'variable "x" {\n  default = "a"\n}\n',
      'README.md': '# hi',
    });
    expect(out).toEqual({ 'main.tf': { variable: { x: [{ default: 'a' }] } } });
  });

  it('names the file and line of a syntax error', async () => {
    const bad = 'locals {\n  a = 1\n  proton:environment = var.environment.name\n}\n';
    const err = await parseTerraformFiles({ 'ok.tf': 'locals {}\n', 'config.tf': bad }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RenderError);
    expect((err as RenderError).file).toBe('config.tf');
    expect((err as RenderError).line).toBe(3);
    expect(String(err)).toMatch(/^config\.tf:3: /);
  });

  it('extracts locations from hcl2json messages', () => {
    expect(
      hclErrorLocation(
        'parse config: [bad.tf:2,7-3,1: Invalid expression; Expected the start of an expression.]',
        'bad.tf',
      ),
    ).toEqual({
      line: 2,
      message: 'Invalid expression; Expected the start of an expression.',
    });
    expect(hclErrorLocation('something else', 'bad.tf')).toEqual({
      line: undefined,
      message: 'something else',
    });
  });
});
