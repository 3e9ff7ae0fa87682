import { ValidationError, actionsOf } from '@nucleon/core';
import { extensionTargetPrefix } from '@nucleon/protocol';
import type { AccessControlService } from '../app/access/access-control-service.js';
import type { AuditLog } from '../ports/audit-log.js';
import type { AccessRule } from './operation-access.js';
import type { OperationEntry } from './operation-registry.js';

const opt = (v: unknown) => (typeof v === 'string' ? v : undefined);

function decodeToken(token: string | undefined): string | undefined {
  if (!token) return undefined;
  const id = Buffer.from(token, 'base64url').toString('utf8');
  if (!/^\d{1,19}$/.test(id))
    throw new ValidationError(
      'nextToken is not one this server returned: pass the nextToken of the previous ListAuditEvents page unchanged.',
    );
  return id;
}

/** Users, grants, the caller's own access, and the audit log (extension operations). */
export function accessControlOperations(deps: {
  access: AccessControlService;
  audit: AuditLog;
  rules: Readonly<Record<string, AccessRule>>;
  /** The installation's own account (ADR 0018). */
  accountId: string;
}): Array<[string, OperationEntry]> {
  const { access, audit, rules, accountId } = deps;
  const entry = (name: string, handler: OperationEntry['handler']): [string, OperationEntry] => [
    `${extensionTargetPrefix}.${name}`,
    { input: `${name}Input`, output: `${name}Output`, handler },
  ];
  const grantOf = (i: Record<string, unknown>) => ({
    kind: String(i.kind),
    pattern: String(i.pattern),
  });
  return [
    entry('CreateUser', async (i) => ({
      user: await access.createUser({
        userName: String(i.userName),
        role: String(i.role),
        password: opt(i.password),
      }),
    })),
    entry('ListUsers', async () => ({ users: await access.listUsers() })),
    entry(
      'DeleteUser',
      async (i, ctx) => (await access.deleteUser(String(i.userName), ctx.principal), {}),
    ),
    entry('AddGrant', async (i) => ({
      grant: {
        userName: String(i.userName),
        ...(await access.addGrant(String(i.userName), grantOf(i))),
      },
    })),
    entry(
      'RemoveGrant',
      async (i) => (await access.removeGrant(String(i.userName), grantOf(i)), {}),
    ),
    entry('ListGrants', async (i) => ({ grants: await access.listGrants(opt(i.userName)) })),
    entry('GetCallerAccess', async (_i, ctx) => {
      const caller = await access.callerAccess(ctx.principal);
      const actions = actionsOf(caller.role);
      const allowed = new Set<string>(actions);
      const operations = Object.entries(rules)
        .filter(([, rule]) => {
          if (caller.accountId !== accountId && !rule.anyAccount) return false;
          if (rule.action === null) return true;
          // Operations whose action depends on the input (tags) are listed if any action they may need is allowed.
          if (typeof rule.action === 'function') {
            const mode = rule.action({}).split(':')[1];
            return actions.some(
              (a) => a.endsWith(`:${mode}`) && a !== 'access:read' && a !== 'audit:read',
            );
          }
          return allowed.has(rule.action);
        })
        .map(([target]) => target)
        .sort();
      return {
        userName: caller.userName ?? undefined,
        accessKeyId: caller.accessKeyId,
        role: caller.role,
        root: caller.root,
        accountId: caller.accountId,
        grants: caller.grants.map((g) => ({ userName: caller.userName ?? '', ...g })),
        actions,
        operations,
      };
    }),
    entry('ListAuditEvents', async (i) => {
      const limit = typeof i.maxResults === 'number' ? i.maxResults : 100;
      const events = await audit.list(
        {
          principal: opt(i.principal),
          resourceArn: opt(i.resourceArn),
          operation: opt(i.operation),
          after: i.startTime instanceof Date ? i.startTime : undefined,
          before: i.endTime instanceof Date ? i.endTime : undefined,
        },
        { afterId: decodeToken(opt(i.nextToken)), limit: limit + 1 },
      );
      const page = events.slice(0, limit);
      const last = page[page.length - 1];
      return {
        events: page.map((e) => ({
          id: e.id,
          time: e.at,
          principal: e.userName ?? e.accessKeyId ?? 'unknown',
          userName: e.userName ?? undefined,
          accessKeyId: e.accessKeyId ?? undefined,
          operation: e.operation,
          action: e.action,
          resourceArn: e.resourceArn,
          outcome: e.outcome,
          errorType: e.errorType ?? undefined,
          message: e.message ?? undefined,
          requestId: e.requestId,
          sourceAddress: e.sourceAddress ?? undefined,
        })),
        nextToken:
          events.length > limit && last
            ? Buffer.from(last.id, 'utf8').toString('base64url')
            : undefined,
      };
    }),
  ];
}
