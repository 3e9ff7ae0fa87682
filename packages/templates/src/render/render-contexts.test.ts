import { describe, expect, it } from 'vitest';
import { createRenderer } from './renderer.js';
import {
  componentContext,
  environmentContext,
  pipelineContext,
  serviceInstanceContext,
} from './render-contexts.js';

const env = { name: 'prod', account_id: '123456789012', outputs: { VpcId: 'vpc-1' } };
const renderer = createRenderer();
const render = (source: string, context: object): string =>
  renderer.render(source, context, 't.yaml');

describe('render contexts', () => {
  it('gives environment templates environment.name and environment.inputs', () => {
    const ctx = environmentContext({ name: 'prod', inputs: { vpc_cidr: '10.0.0.0/16', n: 2 } });
    expect(ctx).toEqual({
      environment: { name: 'prod', inputs: { vpc_cidr: '10.0.0.0/16', n: 2 } },
    });
    expect(render('{{ environment.name }} {{ environment.inputs.n + 1 }}', ctx)).toBe('prod 3');
  });

  it('gives service instance templates every namespace, including the aliases', () => {
    const ctx = serviceInstanceContext({
      environment: env,
      service: { name: 'api', repository_id: 'org/repo' },
      instance: { name: 'api-prod', inputs: { port: 80 } },
      components: { default: { name: 'queue', outputs: { QueueUrl: 'https://q' } } },
    });
    const source = [
      '{{ environment.outputs.VpcId }} {{ environment.account_id }} {{ service.name }} {{ service.repository_id }}',
      '{{ service_instance.name }} {{ service_instance.inputs.port }} {{ service_instance.environment.outputs.VpcId }}',
      '{{ service_instance.components.default.name }} {{ service_instance.components.default.outputs.QueueUrl }}',
    ].join('\n');
    expect(render(source, ctx)).toBe(
      'vpc-1 123456789012 api org/repo\napi-prod 80 vpc-1\nqueue https://q',
    );
  });

  it('renders an absent component as {} and leaves missing service fields undefined', () => {
    const ctx = serviceInstanceContext({
      environment: env,
      service: { name: 'api' },
      instance: { name: 'i', inputs: {} },
    });
    expect(
      render(
        '{{ service_instance.components.default }} {{ service_instance.components.default.outputs }}',
        ctx,
      ),
    ).toBe('{} {}');
    expect(render('{{ service_instance.components.default | tojson }}', ctx)).toBe('{}');
    expect(() => render('{{ service_instance.components.default.name }}', ctx)).toThrow(
      'service_instance.components.default.name is undefined',
    );
    expect(() => render('{{ service.branch_name }}', ctx)).toThrow(
      'service.branch_name is undefined',
    );
    expect(render("{{ service.branch_name | default('main') }}", ctx)).toBe('main');
  });
});

describe('render contexts for pipelines and components', () => {
  it('gives pipeline templates service_instances and pipeline.inputs', () => {
    const ctx = pipelineContext({
      service: {
        name: 'api',
        repository_connection_arn: 'arn:c',
        repository_id: 'o/r',
        branch_name: 'main',
      },
      pipelineInputs: { dockerfile: 'Dockerfile' },
      instances: [{ name: 'a', inputs: { x: 1 }, outputs: { Url: 'u' }, environment: env }],
    });
    const source =
      '{% for service_instance in service_instances %}{{ loop.index }}:{{ service_instance.name }}:{{ service_instance.outputs.Url }}:{{ service_instance.environment.name }}{% endfor %} {{ pipeline.inputs.dockerfile }} {{ service.branch_name }}';
    expect(render(source, ctx)).toBe('1:a:u:prod Dockerfile main');
  });

  it('gives component templates the component, its environment and its attachment', () => {
    const attached = componentContext({
      component: { name: 'queue' },
      environment: env,
      service: { name: 'api' },
      instance: { name: 'api-prod', inputs: { size: 's' } },
    });
    expect(
      render(
        '{{ component.name }} {{ environment.name }} {{ service.name }} {{ service_instance.inputs.size }}',
        attached,
      ),
    ).toBe('queue prod api s');
    const detached = componentContext({ component: { name: 'queue' }, environment: env });
    expect(render('{{ service is defined }}', detached)).toBe('False');
  });

  it('copies inputs so later changes by the caller do not leak in', () => {
    const inputs = { a: 1 };
    const ctx = environmentContext({ name: 'e', inputs });
    inputs.a = 2;
    expect(render('{{ environment.inputs.a }}', ctx)).toBe('1');
  });
});
