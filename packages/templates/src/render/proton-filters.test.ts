import { describe, expect, it } from 'vitest';
import { createRenderer } from './renderer.js';
import { reindentBlocks } from './proton-filters.js';
import { absentComponent } from './render-contexts.js';

const renderer = createRenderer();
const render = (source: string, context: object): string =>
  renderer.render(source, context, 'cfn.yaml');

describe('Proton filters', () => {
  it('formats ECS environment variables at the column of the {{', () => {
    const source =
      '          Environment:\n            {{ env | proton_cfn_ecs_task_definition_formatted_env_vars }}\n          Image: x';
    expect(render(source, { env: { A: 'a', B: 'b' } })).toBe(
      [
        '          Environment:',
        '            - Name: A',
        '              Value: a',
        '            - Name: B',
        '              Value: b',
        '          Image: x',
      ].join('\n'),
    );
  });

  it('formats Lambda environment variables as a YAML mapping', () => {
    const source =
      '        Variables:\n          {{ env | proton_cfn_lambda_function_formatted_env_vars }}';
    expect(render(source, { env: { TABLE: 't1', COUNT: '3' } })).toBe(
      '        Variables:\n          TABLE: t1\n          COUNT: 3',
    );
  });

  it('keeps only IAM policy ARNs', () => {
    const outputs = {
      P: 'arn:aws:iam::123456789012:policy/p',
      R: 'arn:aws:iam::123456789012:role/r',
      N: 'name',
    };
    expect(render('  {{ o | proton_cfn_iam_policy_arns }}', { o: outputs })).toBe(
      '  - arn:aws:iam::123456789012:policy/p',
    );
  });

  it('renders nothing for an absent component', () => {
    const context = { service_instance: { components: { default: absentComponent() } } };
    const source =
      'E:\n  {{ service_instance.components.default.outputs | proton_cfn_ecs_task_definition_formatted_env_vars }}\nX: {{ service_instance.components.default }}';
    expect(render(source, context)).toBe('E:\n  \nX: {}');
  });
});

describe('Proton filter validation', () => {
  it.each([
    [
      'raw=false rejects unsafe values',
      '{{ e | proton_cfn_ecs_task_definition_formatted_env_vars(raw=false) }}',
      { e: { A: 'a b' } },
      'illegal character',
    ],
    [
      'sanitize rejects YAML injection',
      '{{ v | proton_cfn_sanitize }}',
      { v: 'x\nInjected: 1' },
      'Illegal character(s) detected',
    ],
    [
      'filters need a mapping',
      '{{ v | proton_cfn_lambda_function_formatted_env_vars }}',
      { v: 'x' },
      'expects a mapping',
    ],
  ])('%s', (_label, source, context, message) => {
    expect(() => render(source, context)).toThrow(message);
  });

  it('sanitize passes names and ARNs through', () => {
    expect(
      render('{{ a | proton_cfn_sanitize }} {{ b | proton_cfn_sanitize }}', {
        a: 'my-svc_1',
        b: 'arn:aws:s3:::bucket/k',
      }),
    ).toBe('my-svc_1 arn:aws:s3:::bucket/k');
  });

  it('re-indents after a non-blank prefix with spaces', () => {
    expect(reindentBlocks('x: \u0000PROTON_BLOCK_0\u0000\n', ['a\nb'])).toBe('x: a\n   b\n');
    expect(reindentBlocks('\t\u0000PROTON_BLOCK_0\u0000', ['a\nb'])).toBe('\ta\n\tb');
    expect(reindentBlocks('\u0000PROTON_BLOCK_7\u0000', ['a'])).toBe('\u0000PROTON_BLOCK_7\u0000');
  });
});
