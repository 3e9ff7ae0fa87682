import {
  AccessDeniedError,
  decide,
  isWrite,
  protonArn,
  type Action,
  type ArnScope,
  type Logger,
} from '@nucleon/core';
import type { AccessControlService, CallerAccess } from '../app/access/access-control-service.js';
import type { Principal } from '../app/request-context.js';
import type { AuditLog, AuditOutcome } from '../ports/audit-log.js';
import type { ResourceFacts } from '../ports/resource-facts.js';
import type { AccessRule, Touches } from './operation-access.js';

export interface GuardedCall {
  target: string;
  principal: Principal;
  /** The decoded JSON input, before shape validation. */
  input: Record<string, unknown>;
  requestId: string;
  sourceAddress: string | null;
  /** May a deployment-scoped principal call it? */
  allowScoped: boolean;
}

/** An authorized call; `finish` records a mutating call's outcome in the audit log. */
export interface Authorized {
  finish(
    outcome: Exclude<AuditOutcome, 'DENIED'>,
    errorType?: string,
    message?: string,
  ): Promise<void>;
}

/**
 * The one access check: looks the operation up in the access table, resolves the caller's role
 * and grants, decides, and records every denial and every mutating call in the audit log.
 */
export class AccessGuard {
  constructor(
    private readonly d: {
      rules: Readonly<Record<string, AccessRule>>;
      access: AccessControlService;
      facts: ResourceFacts;
      audit: AuditLog;
      arnScope: ArnScope;
      logger: Logger;
    },
  ) {}

  async authorize(call: GuardedCall): Promise<Authorized> {
    const operation = call.target.split('.').pop() ?? call.target;
    const rule = this.d.rules[call.target];
    const action: Action | null = rule
      ? typeof rule.action === 'function'
        ? rule.action(call.input)
        : rule.action
      : null;
    const resource = rule ? rule.resource(call.input) : '*';
    let resourceArn =
      resource === '*' || resource.startsWith('arn:')
        ? resource
        : protonArn(this.d.arnScope, resource);
    // A connection's ARN names its environment account, not necessarily this installation's.
    const connection = resource.startsWith('environment-account-connection/')
      ? resource.slice('environment-account-connection/'.length)
      : undefined;
    if (connection && this.d.facts.connectionArn)
      resourceArn = (await this.d.facts.connectionArn(connection)) ?? resourceArn;
    const who = {
      userName: call.principal.userName ?? null,
      accessKeyId: call.principal.accessKeyId || null,
    };
    const record = (
      outcome: AuditOutcome,
      errorType: string | null,
      message: string | null,
      userName = who.userName,
    ) =>
      this.d.audit.record({
        ...who,
        userName,
        operation,
        action: action ?? 'none',
        resourceArn,
        outcome,
        errorType,
        message: message?.slice(0, 1000) ?? null,
        requestId: call.requestId,
        sourceAddress: call.sourceAddress,
      });
    const deny = async (message: string, userName?: string | null): Promise<never> => {
      await record('DENIED', 'AccessDeniedException', message, userName).catch((error: unknown) =>
        this.d.logger.error('audit event not recorded', {
          requestId: call.requestId,
          operation,
          error: (error as Error).message,
        }),
      );
      throw new AccessDeniedError(message);
    };

    if (!rule)
      return deny(
        `${operation} has no access rule, so nobody may call it. This is a Nucleon bug: report it.`,
      );
    let userName = who.userName;
    if (call.principal.kind === 'scoped') {
      if (!call.allowScoped) {
        return deny(
          `These temporary deployment credentials may not call ${call.target} (action ${action ?? 'none'} on ${resourceArn}); they can only report on the resource being deployed.`,
        );
      }
    } else {
      let caller: CallerAccess;
      try {
        caller = await this.d.access.callerAccess(call.principal);
      } catch (error) {
        return deny((error as Error).message);
      }
      userName = caller.userName;
      // Other accounts' principals reach only what the rule says checks accounts (fail closed).
      if (caller.accountId !== this.d.arnScope.accountId && !rule.anyAccount) {
        return deny(
          `access key ${caller.accessKeyId} acts in account ${caller.accountId}, which may not call ${operation}: Nucleon keeps templates, environments, services and its settings in the installation's account ${this.d.arnScope.accountId}, and other accounts reach only environment account connections (ADR 0018). Use a key of account ${this.d.arnScope.accountId}.`,
          userName,
        );
      }
      if (action) {
        const touches = await this.expand(rule.touches?.(call.input) ?? {});
        const decision = decide(caller, { action, resource: resourceArn, ...touches });
        if (!decision.allowed) {
          const principal = caller.userName
            ? `user ${caller.userName} (key ${caller.accessKeyId || 'console password'}, role ${caller.role})`
            : `access key ${caller.accessKeyId} (role ${caller.role})`;
          return deny(
            `${principal} may not perform ${action} on ${resourceArn}: ${decision.reason}. Ask an admin for a role or grant that allows it.`,
            userName,
          );
        }
      }
    }
    if (!action || !isWrite(action)) return { finish: () => Promise.resolve() };
    return {
      finish: async (outcome, errorType, message) => {
        try {
          await record(outcome, errorType ?? null, message ?? null, userName);
        } catch (error) {
          this.d.logger.error('audit event not recorded', {
            requestId: call.requestId,
            operation,
            error: (error as Error).message,
          });
        }
      },
    };
  }

  /** Looks up the templates and environments of the existing resources a call touches. */
  private async expand(t: Touches): Promise<{ templates: string[]; environments: string[] }> {
    const templates = [...(t.templates ?? [])];
    const environments = [...(t.environments ?? [])];
    if (t.service) {
      const template = await this.d.facts.serviceTemplate(t.service);
      if (template) templates.push(template);
    }
    if (t.instance) {
      const [template, environment] = await Promise.all([
        this.d.facts.serviceTemplate(t.instance.service),
        this.d.facts.instanceEnvironment(t.instance.service, t.instance.name),
      ]);
      if (template) templates.push(template);
      if (environment) environments.push(environment);
    }
    if (t.component) {
      const environment = await this.d.facts.componentEnvironment(t.component);
      if (environment) environments.push(environment);
    }
    return { templates: templates.filter(Boolean), environments: environments.filter(Boolean) };
  }
}
