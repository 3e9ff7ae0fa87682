import { describe, expect, it } from 'vitest';
import { compareStackTemplates, parseStackTemplate } from './compare-stack-templates.js';

describe('compareStackTemplates', () => {
  it('finds a YAML template with short forms equal to its JSON long form', () => {
    const yaml = [
      "AWSTemplateFormatVersion: '2010-09-09'",
      'Resources:',
      '  Q:',
      '    Type: AWS::SQS::Queue',
      '    Properties: { DelaySeconds: 7 }',
      'Outputs:',
      '  Name: { Value: !GetAtt Q.QueueName }',
      '  Arn:',
      '    Value: !Sub "${Q.Arn}"',
    ].join('\n');
    const json = JSON.stringify({
      Outputs: {
        Arn: { Value: { 'Fn::Sub': '${Q.Arn}' } },
        Name: { Value: { 'Fn::GetAtt': ['Q', 'QueueName'] } },
      },
      Resources: { Q: { Properties: { DelaySeconds: 7 }, Type: 'AWS::SQS::Queue' } },
      AWSTemplateFormatVersion: '2010-09-09',
    });
    expect(compareStackTemplates(yaml, json)).toEqual({ equal: true, diff: '' });
  });

  it('shows what differs, rendered against stack', () => {
    const a =
      'Resources:\n  V:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: 10.0.0.0/16\n';
    const b = a.replace('10.0.0.0/16', '10.9.0.0/16');
    const result = compareStackTemplates(a, b);
    expect(result.equal).toBe(false);
    expect(result.diff).toMatch(/^--- rendered\n\+\+\+ stack\n/);
    expect(result.diff).toMatch(/^- +"CidrBlock": "10\.0\.0\.0\/16"$/m);
    expect(result.diff).toMatch(/^\+ +"CidrBlock": "10\.9\.0\.0\/16"$/m);
  });

  it('refuses an unknown tag instead of dropping it', () => {
    expect(() => parseStackTemplate('A: !Nope x\n')).toThrow(/not a CloudFormation template/);
  });
});
