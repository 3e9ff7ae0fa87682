import { describe, expect, it } from 'vitest';
import { checkOutputShape } from './check-output.js';
import { serializeShape } from './serialize-output.js';

const template = {
  name: 'env',
  arn: 'arn:aws:proton:us-east-1:123456789012:environment-template/env',
  createdAt: new Date(0),
  lastModifiedAt: new Date(0),
};

describe('checkOutputShape: outputs checked strictly against the model', () => {
  it('accepts an output the model declares (undefined and null members are absent)', () => {
    expect(
      checkOutputShape('GetEnvironmentTemplateOutput', {
        environmentTemplate: { ...template, displayName: undefined, description: null },
      }),
    ).toEqual([]);
  });

  it('names a member the model does not declare, which the lenient serializer drops', () => {
    const output = { environmentTemplate: { ...template, internalSecret: 'x' } };
    expect(checkOutputShape('GetEnvironmentTemplateOutput', output)).toEqual([
      'GetEnvironmentTemplateOutput.environmentTemplate.internalSecret: EnvironmentTemplate declares no member internalSecret',
    ]);
    expect(serializeShape('GetEnvironmentTemplateOutput', output)).not.toHaveProperty(
      'environmentTemplate.internalSecret',
    );
  });

  it('names missing required members, wrong types and values outside an enum, inside lists too', () => {
    const violations = checkOutputShape('ListEnvironmentTemplatesOutput', {
      templates: [{ ...template, arn: undefined, createdAt: 'yesterday', provisioning: 'BY_HAND' }],
    });
    expect(violations).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/templates\[0\]\.arn: required by EnvironmentTemplateSummary/),
        expect.stringMatching(/templates\[0\]\.createdAt: expected a timestamp/),
        expect.stringMatching(/templates\[0\]\.provisioning: "BY_HAND" is not one of/),
      ]),
    );
    expect(violations).toHaveLength(3);
  });

  it('checks the extension shapes as well', () => {
    expect(checkOutputShape('ListAccessKeysOutput', { accessKeys: [{ nope: 1 }] })).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/accessKeys\[0\]\.nope: .* declares no member nope/),
      ]),
    );
  });
});
