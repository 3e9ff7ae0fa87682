import { roleAllows, type Action, type Role } from './roles.js';

export type GrantKind = 'template' | 'environment';

/** Narrows a user's role to templates or environments whose names match `pattern` (`*` and `?` globs). */
export interface Grant {
  kind: GrantKind;
  pattern: string;
}

/** What a caller is: a role and the grants that narrow it. */
export interface Access {
  role: Role;
  grants: readonly Grant[];
}

/** What one call needs: an action on a resource, touching these templates and environments. */
export interface Need {
  action: Action;
  resource: string;
  templates: readonly string[];
  environments: readonly string[];
}

export type Decision = { allowed: true } | { allowed: false; reason: string };

/** Glob match over a whole name: `*` any run of characters, `?` one character. */
export function matchesGlob(pattern: string, name: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`).test(name);
}

/**
 * Grants narrow a role: when a user holds grants of a kind, only matching names are reached.
 * A developer reaches only granted templates and environments (no grant of a kind: none).
 * Admins are never narrowed.
 */
export function decide(access: Access, need: Need): Decision {
  if (!roleAllows(access.role, need.action)) {
    return { allowed: false, reason: `the role ${access.role} does not allow ${need.action}` };
  }
  if (access.role === 'admin') return { allowed: true };
  for (const [kind, names] of [
    ['template', need.templates],
    ['environment', need.environments],
  ] as Array<[GrantKind, readonly string[]]>) {
    const patterns = access.grants.filter((g) => g.kind === kind).map((g) => g.pattern);
    if (patterns.length === 0 && access.role !== 'developer') continue;
    const outside = names.find((n) => !patterns.some((p) => matchesGlob(p, n)));
    if (outside !== undefined)
      return { allowed: false, reason: `no grant covers the ${kind} ${outside}` };
  }
  return { allowed: true };
}
