import { describe, expect, it } from 'vitest';
import { parseProtonOps } from './proton-ops.js';

const OPS = `sync:
  services:
    frontend-svc:
      alpha:
        branch: dev
        spec: ./frontend-svc/test/frontend-spec.yaml
      prod-one:
        branch: prod
        spec: frontend-svc/prod/frontend-spec.yaml
    other-svc:
      beta:
        branch: main
        spec: /other/spec.yaml
`;

describe('parseProtonOps', () => {
  it('lists the instances of one service with their branch and spec path from the root', () => {
    expect(parseProtonOps(OPS, 'frontend-svc')).toEqual([
      { instanceName: 'alpha', branch: 'dev', spec: 'frontend-svc/test/frontend-spec.yaml' },
      { instanceName: 'prod-one', branch: 'prod', spec: 'frontend-svc/prod/frontend-spec.yaml' },
    ]);
    expect(parseProtonOps(OPS, 'other-svc')).toEqual([
      { instanceName: 'beta', branch: 'main', spec: 'other/spec.yaml' },
    ]);
  });

  it('has no instances for a service it does not name', () => {
    expect(parseProtonOps(OPS, 'unknown')).toEqual([]);
  });

  it.each([
    ['sync: [\n', /not valid YAML/],
    ['services: {}\n', /must have sync: services:/],
    ['sync:\n  services:\n    s:\n      a:\n        branch: main\n', /s\.a needs branch and spec/],
    ['sync:\n  services:\n    s: 3\n', /must map instance names/],
    [
      'sync:\n  services:\n    s:\n      a: {branch: main, spec: ../../etc/passwd}\n',
      /leaves the repository/,
    ],
  ])('refuses %j, saying what is wrong', (text, message) => {
    expect(() => parseProtonOps(text, 's')).toThrow(message);
  });
});
