import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string, string>;
/** Proton's RepositorySyncEvent / ResourceSyncEvent, times as ISO strings. */
export interface SyncEventRow {
  type: string;
  event: string;
  externalId?: string;
  time: string;
}
/** Proton's Revision. */
export interface RevisionRow {
  repositoryName: string;
  repositoryProvider: string;
  branch: string;
  sha: string;
  directory: string;
}

/** Row types of Nucleon's tables, one interface per table (see migrations/). */
export interface Database {
  settings: { key: string; value: Json<unknown> };
  access_keys: {
    access_key_id: string;
    secret_ciphertext: string;
    description: string | null;
    is_root: boolean;
    scope_arn: string | null;
    /** The deployment scoped credentials were minted for (migration 0005). */
    deployment_id: string | null;
    session_token: string | null;
    expires_at: Timestamp | null;
    created_at: Generated<Date>;
    user_name: string | null;
    role: string | null;
    origin: string | null;
    /** The key's account; null: the installation's own (migration 0009). */
    account_id: string | null;
  };
  /** Environment account connections (migration 0009). */
  environment_account_connections: {
    id: string;
    arn: string;
    environment_account_id: string;
    management_account_id: string;
    environment_name: string;
    role_arn: string | null;
    codebuild_role_arn: string | null;
    component_role_arn: string | null;
    status: string;
    client_token: string | null;
    request_digest: string;
    requested_at: Timestamp;
    last_modified_at: Timestamp;
  };
  users: { name: string; role: string; password_hash: string | null; created_at: Generated<Date> };
  grants: { user_name: string; kind: string; pattern: string; created_at: Generated<Date> };
  audit_events: {
    id: Generated<string>;
    at: Generated<Date>;
    user_name: string | null;
    access_key_id: string | null;
    operation: string;
    action: string;
    resource_arn: string;
    outcome: string;
    error_type: string | null;
    message: string | null;
    request_id: string;
    source_address: string | null;
  };
  templates: {
    kind: string;
    name: string;
    arn: string;
    display_name: string | null;
    description: string | null;
    encryption_key: string | null;
    provisioning: string | null;
    created_at: Timestamp;
    last_modified_at: Timestamp;
  };
  template_versions: {
    kind: string;
    template_name: string;
    major: number;
    minor: number;
    arn: string;
    status: string;
    status_message: string | null;
    description: string | null;
    schema_text: string | null;
    compatible_environment_templates: Json<
      Array<{ templateName: string; majorVersion: string }>
    > | null;
    supported_component_sources: Json<string[]> | null;
    source_bucket: string;
    source_key: string;
    bundle_sha256: string | null;
    created_at: Timestamp;
    last_modified_at: Timestamp;
  };
  tags: { resource_arn: string; key: string; value: string };
  blobs: { sha256: string; data: Uint8Array; size: number; created_at: Generated<Date> };
  bundle_objects: {
    bucket: string;
    key: string;
    sha256: string;
    created_at: Generated<Date>;
  };
  idempotency_tokens: {
    operation: string;
    client_token: string;
    request_hash: string;
    resource_ref: string;
    created_at: Generated<Date>;
  };
  services: {
    name: string;
    arn: string;
    template_name: string;
    description: string | null;
    spec: string;
    status: string;
    status_message: string | null;
    repository_connection_arn: string | null;
    repository_id: string | null;
    branch_name: string | null;
    pending_pipeline: Generated<boolean>;
    created_at: Timestamp;
    last_modified_at: Timestamp;
  };
  resources: {
    kind: string;
    service_name: string;
    name: string;
    arn: string;
    environment_name: string | null;
    template_name: string;
    template_major: number;
    template_minor: number;
    spec: string | null;
    deployment_status: string;
    deployment_status_message: string | null;
    last_attempted_deployment_id: string | null;
    last_succeeded_deployment_id: string | null;
    last_deployment_attempted_at: Timestamp;
    last_deployment_succeeded_at: Timestamp;
    settings: Json<Record<string, unknown>>;
    created_at: Timestamp;
    /** Stack / Terraform state name, set when first provisioned and never recomputed (0003). */
    engine_name: string | null;
    /** Folder held in a self-managed provisioning repository; unique (0003). */
    provisioning_folder: string | null;
  };
  deployments: {
    id: string;
    arn: string;
    target_kind: string;
    target_service: string;
    target_name: string;
    target_arn: string;
    target_created_at: Timestamp;
    environment_name: string;
    operation: string;
    engine: string;
    status: string;
    status_message: string | null;
    cancel_requested: Generated<boolean>;
    initial_state: Json<Record<string, unknown>> | null;
    target_state: Json<Record<string, unknown>>;
    rendered: Json<Record<string, string>> | null;
    outputs: Json<Record<string, string>> | null;
    provisioned_resources: Json<
      Array<{ name: string; identifier: string; provisioningEngine: string }>
    > | null;
    previous_attempted_id: string | null;
    previous_succeeded_id: string | null;
    created_at: Timestamp;
    last_modified_at: Timestamp;
    completed_at: Timestamp | null;
  };
  deployment_events: {
    id: Generated<string>;
    deployment_id: string;
    at: Generated<Date>;
    kind: string;
    message: string;
  };
  repositories: {
    provider: string;
    name: string;
    arn: string;
    connection_arn: string;
    encryption_key: string | null;
    remote_url: string | null;
    token_ciphertext: string | null;
    created_at: Timestamp;
  };
  repository_sync: {
    provider: string;
    name: string;
    webhook_id: string;
    webhook_secret_ciphertext: string | null;
    mirror: string;
    next_poll_at: Generated<Date>;
  };
  repository_branches: {
    provider: string;
    name: string;
    branch: string;
    commit: string;
    moved_at: Generated<Date>;
  };
  repository_sync_attempts: {
    provider: string;
    name: string;
    branch: string;
    sync_type: string;
    started_at: Timestamp;
    status: string;
    events: Json<SyncEventRow[]>;
  };
  template_sync_configs: {
    template_kind: string;
    template_name: string;
    provider: string;
    repository_name: string;
    branch: string;
    subdirectory: string | null;
    created_at: Generated<Date>;
  };
  template_sync_attempts: {
    id: Generated<string>;
    template_kind: string;
    template_name: string;
    major: number;
    commit: string;
    tree: string;
    started_at: Timestamp;
    status: string;
    initial_revision: Json<RevisionRow>;
    target_revision: Json<RevisionRow>;
    events: Json<SyncEventRow[]>;
    minor: number | null;
  };
  service_sync_configs: {
    service_name: string;
    provider: string;
    repository_name: string;
    branch: string;
    file_path: string;
    created_at: Generated<Date>;
  };
  service_instance_sync_attempts: {
    id: Generated<string>;
    service_name: string;
    instance_name: string;
    commit: string;
    spec_sha: string;
    started_at: Timestamp;
    status: string;
    initial_revision: Json<RevisionRow>;
    target_revision: Json<RevisionRow>;
    events: Json<SyncEventRow[]>;
    deployment_id: string | null;
  };
  service_sync_blockers: {
    id: string;
    service_name: string;
    instance_name: string | null;
    status: string;
    created_reason: string;
    created_at: Timestamp;
    resolved_reason: string | null;
    resolved_at: Timestamp | null;
    contexts: Json<Array<{ key: string; value: string }>>;
  };
  /** Events (migration 0013, ADR 0023). */
  event_subscriptions: {
    id: string;
    /** WEBHOOK | EVENTBRIDGE (migration 0022). */
    kind: Generated<string>;
    url: string | null;
    secret_ciphertext: string | null;
    event_bus: string | null;
    event_bus_region: string | null;
    source: string | null;
    detail_types: Json<string[]> | null;
    description: string | null;
    created_at: Generated<Date>;
  };
  event_outbox: {
    id: Generated<string>;
    at: Generated<Date>;
    detail_type: string;
    resource_arn: string;
    detail: Json<Record<string, unknown>>;
  };
  event_deliveries: {
    event_id: string;
    subscription_id: string;
    status: Generated<string>;
    attempts: Generated<number>;
    last_error: string | null;
    delivered_at: Timestamp | null;
    claimed_until: Timestamp | null;
  };
  /** Turns of periodic jobs (migration 0022): `event-prune`. */
  job_schedules: {
    name: string;
    next_run_at: Timestamp;
    last_run_at: Timestamp | null;
    last_result: Json<unknown> | null;
  };
  /** Accepted drift per resource (0025, ADR 0023). */
  drift_acceptances: {
    resource_arn: string;
    fingerprint: string;
    deployment_id: string;
    accepted_by: string;
    accepted_at: Generated<Timestamp>;
  };
  drift_schedule: {
    id: string;
    next_run_at: Timestamp;
    last_run_at: Timestamp | null;
    last_report: Json<unknown> | null;
  };
  jobs: {
    id: Generated<string>;
    queue: string;
    payload: Json<Record<string, unknown>>;
    run_at: Generated<Date>;
    attempts: Generated<number>;
    max_attempts: number;
    locked_by: string | null;
    locked_until: Timestamp | null;
    last_error: string | null;
    created_at: Generated<Date>;
    /** Claimed highest first (migration 0023): a rollout's step before the deployments it started. */
    priority: Generated<number>;
  };
  /** Console sessions shared by every replica (migration 0015, ADR 0025). */
  console_sessions: {
    id_hash: string;
    access_key_id: string;
    principal: Json<Record<string, unknown>>;
    csrf_token: string;
    created_at: Timestamp;
    last_seen_at: Timestamp;
    expires_at: Timestamp;
  };
  /** Failed console sign-ins per source address (and key), shared by every replica (0015). */
  sign_in_failures: { key: string; count: number; since: Timestamp };
}
