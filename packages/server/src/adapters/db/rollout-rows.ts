import type { ColumnType, Kysely } from 'kysely';
import type { RolloutInstanceRecord, RolloutRecord } from '../../ports/rollout-store.js';
import type { Database } from './schema.js';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Json<T> = ColumnType<T, string, string>;

/** Row types of the rollout tables (migration 0010). */
export interface RolloutTables {
  rollouts: {
    id: string;
    template_kind: string;
    template_name: string;
    target_major: number;
    target_minor: number;
    status: string;
    phase: string;
    status_message: string | null;
    current_wave: number;
    wave_count: number;
    bake_until: Timestamp | null;
    options: Json<RolloutRecord['options']>;
    tick_seq: number;
    created_by: string | null;
    client_token: string | null;
    created_at: Timestamp;
    last_modified_at: Timestamp;
    completed_at: Timestamp | null;
  };
  rollout_instances: {
    rollout_id: string;
    position: number;
    wave: number;
    service_name: string;
    instance_name: string;
    environment_name: string;
    state: string;
    message: string | null;
    deployment_id: string | null;
    rollback_deployment_id: string | null;
    from_major: number | null;
    from_minor: number | null;
    from_spec: string | null;
    from_settings: Json<Record<string, unknown>> | null;
    updated_at: Timestamp;
  };
}

export type RolloutDb = Kysely<Database & RolloutTables>;

const json = <T>(v: T | string): T => (typeof v === 'string' ? (JSON.parse(v) as T) : v);

export function toRollout(r: {
  [K in keyof RolloutTables['rollouts']]: unknown;
}): RolloutRecord {
  return {
    id: r.id as string,
    templateKind: r.template_kind === 'ENVIRONMENT' ? 'ENVIRONMENT' : 'SERVICE',
    templateName: r.template_name as string,
    targetMajor: Number(r.target_major),
    targetMinor: Number(r.target_minor),
    status: r.status as RolloutRecord['status'],
    phase: r.phase as RolloutRecord['phase'],
    statusMessage: (r.status_message as string | null) ?? null,
    currentWave: Number(r.current_wave),
    waveCount: Number(r.wave_count),
    bakeUntil: r.bake_until ? new Date(r.bake_until as Date) : null,
    options: json(r.options as RolloutRecord['options']),
    tickSeq: Number(r.tick_seq),
    createdBy: (r.created_by as string | null) ?? null,
    clientToken: (r.client_token as string | null) ?? null,
    createdAt: new Date(r.created_at as Date),
    lastModifiedAt: new Date(r.last_modified_at as Date),
    completedAt: r.completed_at ? new Date(r.completed_at as Date) : null,
  };
}

export function toRolloutInstance(r: {
  [K in keyof RolloutTables['rollout_instances']]: unknown;
}): RolloutInstanceRecord {
  return {
    rolloutId: r.rollout_id as string,
    position: Number(r.position),
    wave: Number(r.wave),
    serviceName: r.service_name as string,
    instanceName: r.instance_name as string,
    environmentName: r.environment_name as string,
    state: r.state as RolloutInstanceRecord['state'],
    message: (r.message as string | null) ?? null,
    deploymentId: (r.deployment_id as string | null) ?? null,
    rollbackDeploymentId: (r.rollback_deployment_id as string | null) ?? null,
    fromMajor: r.from_major === null ? null : Number(r.from_major),
    fromMinor: r.from_minor === null ? null : Number(r.from_minor),
    fromSpec: (r.from_spec as string | null) ?? null,
    fromSettings: r.from_settings ? json(r.from_settings as Record<string, unknown>) : null,
    updatedAt: new Date(r.updated_at as Date),
  };
}
