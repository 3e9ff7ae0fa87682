import { describe, expect, it } from 'vitest';
import { decide, matchesGlob } from './decide.js';
import { actionsOf, roleAllows } from './roles.js';

const need = (
  action: Parameters<typeof roleAllows>[1],
  templates: string[] = [],
  environments: string[] = [],
) => ({ action, resource: 'arn', templates, environments });

describe('roles and grants', () => {
  it('gives each role its duties', () => {
    expect(roleAllows('platform', 'templates:write')).toBe(true);
    expect(roleAllows('platform', 'services:write')).toBe(false);
    expect(roleAllows('platform', 'access:write')).toBe(false);
    expect(roleAllows('developer', 'services:write')).toBe(true);
    expect(roleAllows('developer', 'templates:write')).toBe(false);
    expect(roleAllows('developer', 'templates:read')).toBe(true);
    expect(actionsOf('read-only').every((a) => a.endsWith(':read'))).toBe(true);
    expect(actionsOf('read-only')).not.toContain('access:read');
    expect(actionsOf('admin')).toContain('audit:read');
  });

  it('matches whole names with * and ? globs only', () => {
    expect(matchesGlob('web-*', 'web-api')).toBe(true);
    expect(matchesGlob('web-*', 'my-web-api')).toBe(false);
    expect(matchesGlob('dev-?', 'dev-1')).toBe(true);
    expect(matchesGlob('dev-?', 'dev-10')).toBe(false);
    expect(matchesGlob('a.b', 'axb')).toBe(false);
  });

  it('narrows developers to granted templates and environments (none granted: none reached)', () => {
    const dev = {
      role: 'developer' as const,
      grants: [{ kind: 'template' as const, pattern: 'web-*' }],
    };
    expect(decide(dev, need('services:write', ['web-svc'], []))).toEqual({ allowed: true });
    expect(decide(dev, need('services:write', ['web-svc'], ['dev-1']))).toEqual({
      allowed: false,
      reason: 'no grant covers the environment dev-1',
    });
    expect(decide(dev, need('services:write', ['db-svc']))).toEqual({
      allowed: false,
      reason: 'no grant covers the template db-svc',
    });
    expect(decide(dev, need('templates:write', ['web-svc']))).toMatchObject({
      allowed: false,
      reason: 'the role developer does not allow templates:write',
    });
  });

  it('narrows other roles only when they hold grants of that kind; admins never', () => {
    const plat = {
      role: 'platform' as const,
      grants: [{ kind: 'environment' as const, pattern: 'staging-*' }],
    };
    expect(decide(plat, need('templates:write', ['anything']))).toEqual({ allowed: true });
    expect(decide(plat, need('environments:write', [], ['prod']))).toMatchObject({
      allowed: false,
    });
    expect(decide(plat, need('environments:write', [], ['staging-eu']))).toEqual({ allowed: true });
    expect(
      decide(
        { role: 'admin', grants: [{ kind: 'environment', pattern: 'x' }] },
        need('environments:write', [], ['prod']),
      ),
    ).toEqual({ allowed: true });
  });
});
