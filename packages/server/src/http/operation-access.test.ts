import {
  extensionOperations,
  extensionTargetPrefix,
  operationNames,
  targetPrefix,
} from '@nucleon/protocol';
import { describe, expect, it } from 'vitest';
import { operationAccess } from './operation-access.js';

describe('the operation access table', () => {
  it('declares what every Proton operation (implemented or not) and every extension operation needs', () => {
    const targets = [
      ...operationNames.map((n) => `${targetPrefix}.${n}`),
      ...Object.keys(extensionOperations).map((n) => `${extensionTargetPrefix}.${n}`),
    ];
    expect(operationNames).toHaveLength(87);
    expect(targets.filter((t) => !operationAccess[t])).toEqual([]);
    expect(Object.keys(operationAccess).filter((t) => !targets.includes(t))).toEqual([]);
  });

  it('marks every Get/List operation as a read and every other operation as a write', () => {
    for (const [target, rule] of Object.entries(operationAccess)) {
      if (rule.action === null || typeof rule.action === 'function') continue;
      const name = target.split('.')[1]!;
      expect(`${name} ${rule.action.endsWith(':read') ? 'read' : 'write'}`).toBe(
        `${name} ${/^(Get|List)/.test(name) ? 'read' : 'write'}`,
      );
    }
  });

  it("lets other accounts' principals reach only the connection operations and GetCallerAccess (ADR 0018)", () => {
    expect(
      Object.entries(operationAccess)
        .filter(([, rule]) => rule.anyAccount)
        .map(([target]) => target.split('.')[1])
        .sort(),
    ).toEqual([
      'AcceptEnvironmentAccountConnection',
      'CreateEnvironmentAccountConnection',
      'DeleteEnvironmentAccountConnection',
      'GetCallerAccess',
      'GetEnvironmentAccountConnection',
      'ListEnvironmentAccountConnections',
      'RejectEnvironmentAccountConnection',
      'UpdateEnvironmentAccountConnection',
    ]);
  });

  it('derives the action of tag operations from the tagged resource', () => {
    const tag = operationAccess[`${targetPrefix}.TagResource`]!;
    const action = tag.action as (i: Record<string, unknown>) => string;
    expect(
      action({ resourceArn: 'arn:aws:proton:us-east-1:123456789012:service-template/web' }),
    ).toBe('templates:write');
    expect(
      action({
        resourceArn: 'arn:aws:proton:us-east-1:123456789012:service/web/service-instance/a',
      }),
    ).toBe('services:write');
    expect(
      tag.touches!({ resourceArn: 'arn:aws:proton:us-east-1:123456789012:environment/prod' }),
    ).toEqual({ environments: ['prod'] });
  });
});
