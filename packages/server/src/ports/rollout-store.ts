import type {
  RolloutInstanceState,
  RolloutPhase,
  RolloutStatus,
  WaveStrategy,
} from '@nucleon/core';
import type { StartDeployment } from './deployment-store.js';

/** The queue of the jobs that drive rollouts: one pending job per running rollout. */
export const ROLLOUT_QUEUE = 'rollout';

/** What a rollout moves: service instances of a service template, or environments. */
export type RolloutTemplateKind = 'SERVICE' | 'ENVIRONMENT';

/**
 * Which members a rollout takes (all given criteria must match). For an environment template,
 * `environments` and `instances` name environments and `services` is refused.
 */
export interface RolloutSelector {
  environments?: string[];
  services?: string[];
  /** `service/instance` (an environment's name for an environment template). */
  instances?: string[];
  /** Tags on the instance or its service (on the environment for an environment template). */
  tags?: Array<{ key: string; value: string }>;
}

export interface RolloutOptions {
  selector: RolloutSelector;
  waves: WaveStrategy;
  maxInFlight: number;
  bakeSeconds: number;
  failureThreshold: number;
  autoRollback: boolean;
  rollbackScope: 'WAVE' | 'ROLLOUT';
  /** Output naming an HTTP URL that must answer 2xx during the bake. */
  healthCheckOutput?: string;
  previewHash?: string;
  description?: string;
}

export interface RolloutRecord {
  id: string;
  templateKind: RolloutTemplateKind;
  templateName: string;
  targetMajor: number;
  targetMinor: number;
  status: RolloutStatus;
  phase: RolloutPhase;
  statusMessage: string | null;
  currentWave: number;
  waveCount: number;
  bakeUntil: Date | null;
  options: RolloutOptions;
  tickSeq: number;
  createdBy: string | null;
  clientToken: string | null;
  createdAt: Date;
  lastModifiedAt: Date;
  completedAt: Date | null;
}

/** One member of a rollout: a service instance, or an environment (`serviceName` empty). */
export interface RolloutInstanceRecord {
  rolloutId: string;
  position: number;
  wave: number;
  serviceName: string;
  instanceName: string;
  environmentName: string;
  state: RolloutInstanceState;
  message: string | null;
  deploymentId: string | null;
  rollbackDeploymentId: string | null;
  fromMajor: number | null;
  fromMinor: number | null;
  fromSpec: string | null;
  fromSettings: Record<string, unknown> | null;
  updatedAt: Date;
}

/** A state change of one instance, applied only if it is still in `from`. */
export interface InstanceTransition {
  position: number;
  from: readonly RolloutInstanceState[];
  to: RolloutInstanceState;
  message?: string | null;
}

/** Starting one instance's deployment (or its rollback), with what the instance was before. */
export interface InstanceStart {
  position: number;
  from: RolloutInstanceState;
  to: 'IN_PROGRESS' | 'ROLLING_BACK';
  start: StartDeployment;
  previous?: {
    major: number;
    minor: number;
    spec: string | null;
    settings: Record<string, unknown>;
  };
}

export interface RolloutPatch {
  status?: RolloutStatus;
  phase?: RolloutPhase;
  currentWave?: number;
  bakeUntil?: Date | null;
  statusMessage?: string;
}

/** Persistence of rollouts and their instances; every change is one guarded transaction. */
export interface RolloutStore {
  /** Inserts a rollout with its instances and its first tick job, in one transaction. */
  create(rollout: RolloutRecord, instances: RolloutInstanceRecord[]): Promise<void>;
  get(id: string): Promise<RolloutRecord | undefined>;
  findByClientToken(token: string): Promise<RolloutRecord | undefined>;
  list(filter: { templateName?: string; status?: RolloutStatus }): Promise<RolloutRecord[]>;
  listInstances(id: string): Promise<RolloutInstanceRecord[]>;
  /**
   * The deployment of each instance in IN_PROGRESS (its rollback's in ROLLING_BACK), by position,
   * read in one statement; an instance whose deployment no longer exists is absent.
   */
  runningDeployments(
    id: string,
  ): Promise<Map<number, { id: string; status: string; statusMessage: string | null }>>;
  /** Instances of unfinished rollouts (other than `except`) that are not done yet. */
  busyInstances(
    except?: string,
  ): Promise<Array<{ rolloutId: string; serviceName: string; instanceName: string }>>;
  /**
   * Records deployment outcomes the driver observed. Facts, so applied whatever the rollout's
   * status; each transition is guarded by the instance's state.
   */
  recordOutcomes(id: string, transitions: InstanceTransition[]): Promise<void>;
  /**
   * One step of a running rollout: transitions and patch in one transaction, only while the
   * rollout is IN_PROGRESS with `tickSeq`. False (nothing changed) when it is not.
   */
  applyStep(
    id: string,
    tickSeq: number,
    transitions: InstanceTransition[],
    patch: RolloutPatch,
  ): Promise<boolean>;
  /**
   * Starts one instance's deployment (or rollback) with the instance's row, in one transaction,
   * only while the rollout is IN_PROGRESS with `tickSeq` and the row is in `from`. 'busy': the
   * resource has a deployment in progress (nothing changed); 'stale': the rollout moved on.
   */
  startInstance(
    id: string,
    tickSeq: number,
    change: InstanceStart,
  ): Promise<'started' | 'busy' | 'stale'>;
  /**
   * `startInstance` for a step's instances in one transaction (one lock of the rollout, one insert
   * of the deployments and one of their jobs). When one of the resources turns out busy the whole
   * transaction is undone and each instance is started on its own, so every start keeps its own
   * guard and outcome. Outcomes by position.
   */
  startInstances(
    id: string,
    tickSeq: number,
    changes: readonly InstanceStart[],
  ): Promise<Map<number, 'started' | 'busy' | 'stale'>>;
  /**
   * Ends this step: bumps the rollout's tick sequence and enqueues the next tick in `delayMs`,
   * only while it is IN_PROGRESS with `tickSeq`.
   */
  scheduleNext(id: string, tickSeq: number, delayMs: number): Promise<boolean>;
  /**
   * A user's pause, resume or abort: the status moves only from core's allowed sources; the tick
   * sequence is bumped (a pending tick becomes stale) and, when it resumes, a tick is enqueued.
   * `transitions` (abort: pending instances skipped) apply in the same transaction.
   */
  setStatus(
    id: string,
    to: RolloutStatus,
    message: string | null,
    transitions?: InstanceTransition[],
  ): Promise<RolloutRecord | undefined>;
}
