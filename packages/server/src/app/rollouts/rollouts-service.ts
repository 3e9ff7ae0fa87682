import { randomUUID } from 'node:crypto';
import {
  ConflictError,
  NotFoundError,
  ValidationError,
  parseVersionPart,
  planWaves,
  type RolloutStatus,
  type WaveStrategy,
} from '@nucleon/core';
import type { ResourceRecord } from '../../ports/deployment-store.js';
import type {
  RolloutInstanceRecord,
  RolloutOptions,
  RolloutRecord,
  RolloutSelector,
  RolloutStore,
  RolloutTemplateKind,
} from '../../ports/rollout-store.js';
import type { DeployDeps } from '../deploy/deploy-context.js';
import type { RequestContext } from '../request-context.js';
import { rolloutInstancesView, rolloutSummary } from './rollout-views.js';
import { kindWord, resolveTemplateKind } from './resolve-template-kind.js';
import { memberId, needsVersion, selectInstances } from './select-instances.js';

export interface StartRolloutInput {
  templateName: string;
  /** SERVICE or ENVIRONMENT; needed only when both kinds have a template of that name. */
  templateType?: string;
  targetMajorVersion: string;
  targetMinorVersion: string;
  selector?: RolloutSelector;
  waves?: number;
  wavePercentages?: number[];
  explicitWaves?: string[][];
  environmentOrder?: string[];
  maxInFlight?: number;
  bakeSeconds?: number;
  failureThreshold?: number;
  autoRollback?: boolean;
  rollbackScope?: 'WAVE' | 'ROLLOUT';
  healthCheckOutput?: string;
  previewHash?: string;
  description?: string;
  clientToken?: string;
}

/** Checks a preview hash against what the rollout would deploy now (the impact preview). */
export type PreviewCheck = (
  input: {
    kind: RolloutTemplateKind;
    templateName: string;
    major: number;
    minor: number;
    instances: ResourceRecord[];
  },
  hash: string,
) => Promise<void>;

/** StartRollout, GetRollout, ListRollouts, PauseRollout, ResumeRollout, AbortRollout. */
export class RolloutsService {
  constructor(
    private readonly d: DeployDeps,
    private readonly rollouts: RolloutStore,
    private readonly checkPreview?: PreviewCheck,
  ) {}

  /** The members of a template a selector takes, in a stable order. */
  select(
    kind: RolloutTemplateKind,
    templateName: string,
    selector: RolloutSelector = {},
  ): Promise<ResourceRecord[]> {
    return selectInstances(this.d, kind, templateName, selector);
  }

  async start(input: StartRolloutInput, ctx?: RequestContext) {
    if (input.clientToken) {
      const same = await this.rollouts.findByClientToken(input.clientToken);
      if (same) return { rollout: await this.view(same) };
    }
    const major = parseVersionPart(input.targetMajorVersion);
    const minor = parseVersionPart(input.targetMinorVersion);
    const kind = await resolveTemplateKind(this.d, input.templateName, input.templateType);
    const word = kindWord(kind);
    const version = await this.d.catalog.getVersion(kind, input.templateName, major, minor);
    if (!version || (version.status !== 'PUBLISHED' && version.status !== 'DRAFT'))
      throw new ValidationError(
        `The ${word} template version ${input.templateName}:${major}.${minor} is not registered (status ${version?.status ?? 'absent'}). Roll out a DRAFT or PUBLISHED version.`,
      );
    const selected = await this.select(kind, input.templateName, input.selector);
    const todo = selected.filter((r) => needsVersion(r, major, minor));
    const members = kind === 'SERVICE' ? 'service instance' : 'environment';
    if (todo.length === 0)
      throw new ValidationError(
        `No ${members} of ${input.templateName} that the selector takes needs ${major}.${minor} (${selected.length} selected, all already on it). Widen the selector or choose another version.`,
      );
    const busy = new Set(
      (await this.rollouts.busyInstances()).map((b) =>
        memberId({ serviceName: b.serviceName, name: b.instanceName }),
      ),
    );
    const clash = todo.filter((r) => busy.has(memberId(r)));
    if (clash.length)
      throw new ConflictError(
        `${clash.map(memberId).join(', ')} ${clash.length === 1 ? 'is' : 'are'} already in a running rollout. Wait for it to end, or abort it, then try again.`,
      );
    if (input.previewHash !== undefined)
      await this.checkPreview?.(
        { kind, templateName: input.templateName, major, minor, instances: todo },
        input.previewHash,
      );
    // An environment is its own environment, so "environment order" waves are its names in order.
    const plan = planWaves(
      todo.map((r) => ({ id: memberId(r), environment: r.environmentName ?? r.name })),
      this.strategyOf(input),
    );
    if ('error' in plan) throw new ValidationError(plan.error);
    const options = this.optionsOf(input);
    const now = this.d.clock.now();
    const rollout: RolloutRecord = {
      id: randomUUID(),
      templateKind: kind,
      templateName: input.templateName,
      targetMajor: major,
      targetMinor: minor,
      status: 'IN_PROGRESS',
      phase: 'DEPLOYING',
      statusMessage: null,
      currentWave: 0,
      waveCount: plan.waves.length,
      bakeUntil: null,
      options,
      tickSeq: 0,
      createdBy: ctx?.principal.userName ?? ctx?.principal.accessKeyId ?? null,
      clientToken: input.clientToken ?? null,
      createdAt: now,
      lastModifiedAt: now,
      completedAt: null,
    };
    const byId = new Map(todo.map((r) => [memberId(r), r]));
    let position = 0;
    const rows: RolloutInstanceRecord[] = plan.waves.flatMap((ids, wave) =>
      ids.map((id) => {
        const r = byId.get(id)!;
        return {
          rolloutId: rollout.id,
          position: position++,
          wave,
          serviceName: r.serviceName,
          instanceName: r.name,
          environmentName: r.environmentName ?? r.name,
          state: 'PENDING' as const,
          message: null,
          deploymentId: null,
          rollbackDeploymentId: null,
          fromMajor: r.templateMajor,
          fromMinor: r.templateMinor,
          fromSpec: null,
          fromSettings: null,
          updatedAt: now,
        };
      }),
    );
    await this.rollouts.create(rollout, rows);
    this.d.poke();
    return { rollout: await this.view(rollout) };
  }

  private strategyOf(input: StartRolloutInput): WaveStrategy {
    const given = [
      input.waves !== undefined,
      input.wavePercentages !== undefined,
      input.explicitWaves !== undefined,
      input.environmentOrder !== undefined,
    ].filter(Boolean).length;
    if (given > 1)
      throw new ValidationError(
        'Give one of waves, wavePercentages, explicitWaves and environmentOrder, not several.',
      );
    if (input.wavePercentages) return { kind: 'PERCENTAGES', percentages: input.wavePercentages };
    if (input.explicitWaves) return { kind: 'EXPLICIT', waves: input.explicitWaves };
    if (input.environmentOrder) return { kind: 'ENVIRONMENTS', order: input.environmentOrder };
    return { kind: 'COUNT', count: input.waves ?? 1 };
  }

  private optionsOf(input: StartRolloutInput): RolloutOptions {
    const whole = (name: string, v: number | undefined, min: number, fallback: number) => {
      if (v === undefined) return fallback;
      if (!Number.isInteger(v) || v < min)
        throw new ValidationError(`${name} must be a whole number of at least ${min} (got ${v}).`);
      return v;
    };
    return {
      selector: input.selector ?? {},
      waves: this.strategyOf(input),
      maxInFlight: whole('maxInFlight', input.maxInFlight, 1, 10),
      bakeSeconds: whole('bakeSeconds', input.bakeSeconds, 0, 0),
      failureThreshold: whole('failureThreshold', input.failureThreshold, 0, 0),
      autoRollback: input.autoRollback ?? false,
      rollbackScope: input.rollbackScope ?? 'ROLLOUT',
      ...(input.healthCheckOutput ? { healthCheckOutput: input.healthCheckOutput } : {}),
      ...(input.previewHash ? { previewHash: input.previewHash } : {}),
      ...(input.description ? { description: input.description } : {}),
    };
  }

  private async require(id: string): Promise<RolloutRecord> {
    const r = await this.rollouts.get(id);
    if (!r)
      throw new NotFoundError(`The rollout ${id} does not exist. List rollouts to see their ids.`);
    return r;
  }

  private async view(r: RolloutRecord) {
    return {
      ...rolloutSummary(r),
      instances: await rolloutInstancesView(this.d.store, await this.rollouts.listInstances(r.id)),
    };
  }

  async get(id: string) {
    return { rollout: await this.view(await this.require(id)) };
  }

  async list(input: { templateName?: string; status?: RolloutStatus }) {
    const all = await this.rollouts.list(input);
    return { rollouts: all.map(rolloutSummary) };
  }

  private async move(id: string, to: RolloutStatus, verb: string, message: string | null) {
    const r = await this.require(id);
    const changed = await this.rollouts.setStatus(
      id,
      to,
      message,
      to === 'ABORTED'
        ? (await this.rollouts.listInstances(id))
            .filter((i) => i.state === 'PENDING' || i.state === 'ROLLBACK_PENDING')
            .map((i) => ({
              position: i.position,
              from: [i.state],
              to: 'SKIPPED' as const,
              message: 'not started: the rollout was aborted',
            }))
        : [],
    );
    if (!changed)
      throw new ConflictError(
        `The rollout ${id} is ${(await this.rollouts.get(id))?.status ?? r.status}, so it cannot be ${verb}. ${
          to === 'IN_PROGRESS' ? 'Only a PAUSED rollout resumes.' : 'Only a running rollout can be.'
        }`,
      );
    if (to === 'IN_PROGRESS') this.d.poke();
    return { rollout: await this.view(changed) };
  }

  pause(id: string) {
    return this.move(id, 'PAUSED', 'paused', null);
  }

  resume(id: string) {
    return this.move(id, 'IN_PROGRESS', 'resumed', null);
  }

  abort(id: string) {
    return this.move(
      id,
      'ABORTED',
      'aborted',
      'Aborted by the user: no further deployment starts; deployments already running finish.',
    );
  }
}
