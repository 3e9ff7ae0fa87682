/**
 * Who may do what. An action is `<area>:<read|write>`; every operation needs exactly one
 * (declared in the server's operation access table) and each role allows a fixed set of them.
 */
export const ROLES = ['admin', 'platform', 'developer', 'read-only'] as const;
export type Role = (typeof ROLES)[number];

export const AREAS = [
  'templates', // environment and service templates and their versions
  'environments', // environments and environment account connections
  'services', // services, service instances, service pipelines
  'components',
  'repositories',
  'sync', // template and service sync configs and status
  'settings', // account settings
  'deployments', // deployment history
  'access', // users, grants, access keys
  'audit', // the audit log
] as const;
export type Area = (typeof AREAS)[number];
export type Action = `${Area}:${'read' | 'write'}`;

/** Every action, in a stable order (the console lists them). */
export const ALL_ACTIONS: readonly Action[] = AREAS.flatMap(
  (a) => [`${a}:read`, `${a}:write`] as Action[],
);

const reads = (areas: readonly Area[]): Action[] => areas.map((a) => `${a}:read` as Action);
const writes = (areas: readonly Area[]): Action[] => areas.map((a) => `${a}:write` as Action);
const PROTON_AREAS: readonly Area[] = [
  'templates',
  'environments',
  'services',
  'components',
  'repositories',
  'sync',
  'settings',
  'deployments',
];

const ROLE_ACTIONS: Record<Role, ReadonlySet<Action>> = {
  admin: new Set(ALL_ACTIONS),
  platform: new Set([
    ...reads(PROTON_AREAS),
    ...writes([
      'templates',
      'environments',
      'components',
      'repositories',
      'sync',
      'settings',
      'deployments',
    ]),
  ]),
  developer: new Set([...reads(PROTON_AREAS), ...writes(['services', 'components'])]),
  'read-only': new Set(reads(PROTON_AREAS)),
};

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function roleAllows(role: Role, action: Action): boolean {
  return ROLE_ACTIONS[role].has(action);
}

/** The actions a role allows, in ALL_ACTIONS order. */
export function actionsOf(role: Role): Action[] {
  return ALL_ACTIONS.filter((a) => ROLE_ACTIONS[role].has(a));
}

export function isWrite(action: Action): boolean {
  return action.endsWith(':write');
}
