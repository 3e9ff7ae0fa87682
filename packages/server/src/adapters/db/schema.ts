import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string, string>;

/** Row types of Nucleon's tables, one interface per table (see migrations/). */
export interface Database {
  settings: { key: string; value: Json<unknown> };
  access_keys: {
    access_key_id: string;
    secret_ciphertext: string;
    description: string | null;
    is_root: boolean;
    scope_arn: string | null;
    session_token: string | null;
    expires_at: Timestamp | null;
    created_at: Generated<Date>;
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
    compatible_environment_templates: Json<Array<{ templateName: string; majorVersion: string }>> | null;
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
  };
}
