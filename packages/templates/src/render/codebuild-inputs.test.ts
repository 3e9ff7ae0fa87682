import { describe, expect, it } from 'vitest';
import { protonInputs, protonInputsJson } from './codebuild-inputs.js';

const env = { name: 'prod', account_id: '123456789012', outputs: { VpcId: 'vpc-1' } };

describe('proton-inputs.json', () => {
  it('keeps native JSON types for an environment', () => {
    const doc = protonInputs({
      kind: 'environment',
      name: 'prod',
      inputs: { n: 2, on: true, subnets: ['a'] },
    });
    expect(doc).toEqual({
      environment: { name: 'prod', inputs: { n: 2, on: true, subnets: ['a'] } },
    });
  });

  it('has Proton shape for a service instance', () => {
    const json = protonInputsJson({
      kind: 'service_instance',
      environment: env,
      service: {
        name: 'api',
        repository_connection_arn: 'arn:c',
        repository_id: 'o/r',
        branch_name: 'main',
      },
      instance: { name: 'api-prod', inputs: { port: 80 } },
    });
    expect(JSON.parse(json)).toEqual({
      environment: { account_id: '123456789012', name: 'prod', outputs: { VpcId: 'vpc-1' } },
      service: {
        name: 'api',
        repository_connection_arn: 'arn:c',
        repository_id: 'o/r',
        branch_name: 'main',
      },
      service_instance: { name: 'api-prod', inputs: { port: 80 } },
    });
    expect(json.endsWith('}\n')).toBe(true);
  });
});

describe('proton-inputs.json for pipelines', () => {
  it('has Proton shape for a pipeline', () => {
    const doc = protonInputs({
      kind: 'pipeline',
      service: { name: 'api' },
      pipelineInputs: { image: 'x' },
      instances: [{ name: 'a', inputs: { n: 1 }, outputs: { Url: 'u' }, environment: env }],
    });
    expect(doc).toEqual({
      pipeline: { inputs: { image: 'x' } },
      service: {
        name: 'api',
        repository_connection_arn: undefined,
        repository_id: undefined,
        branch_name: undefined,
      },
      service_instances: [
        {
          name: 'a',
          inputs: { n: 1 },
          outputs: { Url: 'u' },
          environment: { account_id: '123456789012', name: 'prod', outputs: { VpcId: 'vpc-1' } },
        },
      ],
    });
    expect(
      (
        JSON.parse(
          protonInputsJson({
            kind: 'pipeline',
            service: { name: 'api' },
            pipelineInputs: {},
            instances: [],
          }),
        ) as { service: unknown }
      ).service,
    ).toEqual({ name: 'api' });
  });
});
