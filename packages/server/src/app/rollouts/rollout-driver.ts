import {
  NucleonError,
  decideRolloutStep,
  isRolloutTerminal,
  type Logger,
  type RolloutInstanceState,
} from '@nucleon/core';
import type { ClaimedJob } from '../../ports/job-queue.js';
import type { HealthProbe } from '../../ports/health-probe.js';
import type {
  InstanceStart,
  InstanceTransition,
  RolloutInstanceRecord,
  RolloutRecord,
  RolloutStore,
} from '../../ports/rollout-store.js';
import type { DeployDeps } from '../deploy/deploy-context.js';
import { memberKey, planMemberDeployment } from './plan-member-deployment.js';
import { memberId } from './select-instances.js';
import { stepReads } from './step-reads.js';

const idOf = (i: RolloutInstanceRecord) =>
  memberId({ serviceName: i.serviceName, name: i.instanceName });
const gone = (r: RolloutRecord) =>
  r.templateKind === 'ENVIRONMENT' ? 'environment' : 'service instance';
const ENDED_BAD = new Set(['FAILED', 'CANCELLED', 'DELETE_FAILED', 'DELETE_COMPLETE']);

/**
 * Drives rollouts: each `rollout` job is one step of one rollout. It observes how the rollout's
 * deployments ended, asks core what to do next, applies that (every change guarded by the
 * rollout's status and tick sequence) and enqueues the next step. A crash anywhere leaves the
 * job (or the next one) to decide again from the database.
 */
export class RolloutDriver {
  constructor(
    private readonly d: DeployDeps,
    private readonly rollouts: RolloutStore,
    private readonly probe: HealthProbe,
    private readonly logger: Logger,
    private readonly tickMs = 500,
  ) {}

  async tick(job: ClaimedJob): Promise<void> {
    const id = String(job.payload.rolloutId);
    const seq = Number(job.payload.seq);
    const r = await this.rollouts.get(id);
    if (!r || r.status !== 'IN_PROGRESS' || r.tickSeq !== seq) return; // stale: paused, ended, or superseded
    const rows = await this.rollouts.listInstances(id);
    const outcomes = await this.observe(id, rows);
    await this.rollouts.recordOutcomes(id, outcomes);
    const state = new Map(rows.map((i) => [i.position, i.state]));
    for (const t of outcomes) state.set(t.position, t.to);
    const unhealthy =
      r.phase === 'BAKING' && r.options.healthCheckOutput
        ? await this.checkHealth(
            r,
            rows.filter((i) => i.wave === r.currentWave && state.get(i.position) === 'SUCCEEDED'),
          )
        : new Map<string, string>();
    const step = decideRolloutStep({
      phase: r.phase,
      currentWave: r.currentWave,
      waveCount: r.waveCount,
      bakeUntil: r.bakeUntil,
      now: this.d.clock.now(),
      maxInFlight: r.options.maxInFlight,
      bakeSeconds: r.options.bakeSeconds,
      failureThreshold: r.options.failureThreshold,
      autoRollback: r.options.autoRollback,
      rollbackScope: r.options.rollbackScope,
      instances: rows.map((i) => ({ id: idOf(i), wave: i.wave, state: state.get(i.position)! })),
      unhealthy,
    });
    const byId = new Map(rows.map((i) => [idOf(i), i]));
    const transitions: InstanceTransition[] = step.transitions.map((t) => {
      const row = byId.get(t.id)!;
      const from = state.get(row.position)!;
      state.set(row.position, t.to);
      return {
        position: row.position,
        from: [from],
        to: t.to,
        ...(t.message ? { message: t.message } : {}),
      };
    });
    const applied = await this.rollouts.applyStep(id, seq, transitions, {
      phase: step.patch.phase,
      currentWave: step.patch.currentWave,
      bakeUntil: step.patch.bakeUntil,
      ...(step.patch.status ? { status: step.patch.status } : {}),
      ...(step.patch.message ? { statusMessage: step.patch.message } : {}),
    });
    if (!applied) return;
    if (step.patch.status && isRolloutTerminal(step.patch.status)) {
      this.logger.info('rollout ended', { rolloutId: id, status: step.patch.status });
      return;
    }
    // Planned one by one (the step's shared reads made once), started together.
    const reads = stepReads(this.d);
    const starts: InstanceStart[] = [];
    for (const sid of step.start) {
      const start = await this.startOne(r, byId.get(sid)!, reads);
      if (start) starts.push(start);
    }
    for (const sid of step.rollback) {
      const start = await this.rollbackOne(r, byId.get(sid)!, reads);
      if (start) starts.push(start);
    }
    await this.startAll(r, seq, starts);
    await this.rollouts.scheduleNext(id, seq, this.tickMs);
  }

  /** A job that failed every attempt: the rollout ends FAILED with the last error. */
  async exhausted(job: ClaimedJob): Promise<void> {
    const id = String(job.payload.rolloutId);
    const r = await this.rollouts.get(id);
    if (!r || r.tickSeq !== Number(job.payload.seq)) return;
    await this.rollouts.setStatus(
      id,
      'FAILED',
      `The rollout stopped: its step failed ${job.attempts} times (${job.lastError ?? 'interrupted'}). Deployments it started finish on their own; start a new rollout for the instances still on the old version.`,
    );
  }

  private async observe(
    id: string,
    rows: readonly RolloutInstanceRecord[],
  ): Promise<InstanceTransition[]> {
    const out: InstanceTransition[] = [];
    const running = await this.rollouts.runningDeployments(id);
    for (const i of rows) {
      const rollback = i.state === 'ROLLING_BACK';
      if (i.state !== 'IN_PROGRESS' && !rollback) continue;
      const depId = rollback ? i.rollbackDeploymentId : i.deploymentId;
      const dep = depId ? running.get(i.position) : undefined;
      let to: RolloutInstanceState | undefined;
      let message: string | null = null;
      if (!dep) {
        to = rollback ? 'ROLLBACK_FAILED' : 'FAILED';
        message = `its deployment ${depId ?? ''} no longer exists`;
      } else if (dep.status === 'SUCCEEDED') to = rollback ? 'ROLLED_BACK' : 'SUCCEEDED';
      else if (ENDED_BAD.has(dep.status)) {
        to = rollback ? 'ROLLBACK_FAILED' : 'FAILED';
        message = `deployment ${dep.id} ended ${dep.status}${dep.statusMessage ? `: ${dep.statusMessage}` : ''}`;
      }
      if (to)
        out.push({ position: i.position, from: [i.state], to, ...(message ? { message } : {}) });
    }
    return out;
  }

  private async checkHealth(r: RolloutRecord, rows: readonly RolloutInstanceRecord[]) {
    const out = new Map<string, string>();
    const name = r.options.healthCheckOutput!;
    await Promise.all(
      rows.map(async (i) => {
        const dep = i.deploymentId ? await this.d.store.getDeployment(i.deploymentId) : undefined;
        const url = dep?.outputs?.[name];
        const why = url
          ? await this.probe.check(url)
          : `the deployment has no output ${name} (healthCheckOutput)`;
        if (why) out.set(idOf(i), why);
      }),
    );
    return out;
  }

  /** Starts the step's deployments in one transaction; an instance found busy waits in its state. */
  private async startAll(r: RolloutRecord, seq: number, starts: InstanceStart[]) {
    if (starts.length === 0) return;
    const outcomes = await this.rollouts.startInstances(r.id, seq, starts);
    const busy = starts.filter((c) => outcomes.get(c.position) === 'busy');
    if (busy.length)
      await this.rollouts.recordOutcomes(
        r.id,
        busy.map((c) => ({
          position: c.position,
          from: [c.from],
          to: c.from,
          message:
            c.from === 'PENDING'
              ? 'waiting: the instance has another deployment in progress'
              : 'waiting for the instance’s deployment in progress to end before rolling back',
        })),
      );
    if ([...outcomes.values()].includes('started')) this.d.poke();
  }

  private async startOne(
    r: RolloutRecord,
    row: RolloutInstanceRecord,
    d: DeployDeps,
  ): Promise<InstanceStart | undefined> {
    const res = await d.store.getResource(memberKey(r.templateKind, row));
    const fail = async (message: string) => {
      await this.rollouts.recordOutcomes(r.id, [
        { position: row.position, from: ['PENDING'], to: 'FAILED', message },
      ]);
      return undefined;
    };
    if (!res) return fail(`the ${gone(r)} no longer exists`);
    let start;
    try {
      start = await planMemberDeployment(d, r.templateKind, res, {
        major: r.targetMajor,
        minor: r.targetMinor,
      });
    } catch (error) {
      if (error instanceof NucleonError) return fail(error.message);
      throw error;
    }
    return {
      position: row.position,
      from: 'PENDING',
      to: 'IN_PROGRESS',
      start,
      previous: {
        major: res.templateMajor,
        minor: res.templateMinor,
        spec: res.spec,
        settings: res.settings,
      },
    };
  }

  private async rollbackOne(
    r: RolloutRecord,
    row: RolloutInstanceRecord,
    d: DeployDeps,
  ): Promise<InstanceStart | undefined> {
    const res = await d.store.getResource(memberKey(r.templateKind, row));
    const fail = async (message: string) => {
      await this.rollouts.recordOutcomes(r.id, [
        { position: row.position, from: ['ROLLBACK_PENDING'], to: 'ROLLBACK_FAILED', message },
      ]);
      return undefined;
    };
    if (!row.deploymentId) {
      // It failed before a deployment started (planning refused it): nothing to undo.
      await this.rollouts.recordOutcomes(r.id, [
        {
          position: row.position,
          from: ['ROLLBACK_PENDING'],
          to: 'FAILED',
          message: `${row.message ?? 'failed'}; never deployed, so nothing to roll back`,
        },
      ]);
      return undefined;
    }
    if (!res) return fail(`the ${gone(r)} no longer exists`);
    if (row.fromMajor === null || row.fromMinor === null || !row.fromSettings)
      return fail('its previous version was not recorded');
    let start;
    try {
      start = await planMemberDeployment(d, r.templateKind, res, {
        major: row.fromMajor,
        minor: row.fromMinor,
        restore: { spec: row.fromSpec, settings: row.fromSettings },
      });
    } catch (error) {
      if (error instanceof NucleonError) return fail(error.message);
      throw error;
    }
    return { position: row.position, from: 'ROLLBACK_PENDING', to: 'ROLLING_BACK', start };
  }
}
