import { describe, expect, it } from 'vitest';
import { parseTemplateRegistration } from './template-registration.js';

describe('parseTemplateRegistration', () => {
  it.each([
    [
      'compatible_environments:\n  - my-env:1\n  - other_env:3\n',
      undefined,
      {
        compatibleEnvironmentTemplates: [
          { templateName: 'my-env', majorVersion: '1' },
          { templateName: 'other_env', majorVersion: '3' },
        ],
      },
    ],
    [
      'compatible_environments: [e:2]\nsupported_component_sources:\n  - DIRECTLY_DEFINED\n',
      undefined,
      {
        compatibleEnvironmentTemplates: [{ templateName: 'e', majorVersion: '2' }],
        supportedComponentSources: ['DIRECTLY_DEFINED'],
      },
    ],
    [
      undefined,
      '# legacy file\nmy-env:1\n\n  other:2  \n',
      {
        compatibleEnvironmentTemplates: [
          { templateName: 'my-env', majorVersion: '1' },
          { templateName: 'other', majorVersion: '2' },
        ],
      },
    ],
    [
      'compatible_environments:\n  - a:1\n',
      'ignored:9\n',
      { compatibleEnvironmentTemplates: [{ templateName: 'a', majorVersion: '1' }] },
    ],
    [undefined, undefined, undefined],
  ])('reads %j / %j', (yaml, legacy, expected) => {
    expect(parseTemplateRegistration(yaml, legacy)).toEqual(expected);
  });

  it.each([
    [
      'compatible_environments: [my-env]\n',
      undefined,
      /"my-env" is not "<environment template name>:<major version>"/,
    ],
    ['compatible_environments: my-env:1\n', undefined, /must be a list/],
    ['compatible_environments: [a:1\n', undefined, /not valid YAML/],
    ['- a:1\n', undefined, /must be a mapping with compatible_environments/],
    [undefined, 'my-env:one\n', /\.compatible-envs: "my-env:one"/],
  ])('refuses %j / %j, saying what to write', (yaml, legacy, message) => {
    expect(() => parseTemplateRegistration(yaml, legacy)).toThrow(message);
  });
});
