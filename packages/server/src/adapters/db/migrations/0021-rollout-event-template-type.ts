import { sql, type Kysely } from 'kysely';

/**
 * `Nucleon Rollout Status Change` events say which kind of template the rollout moves
 * (`templateType`: SERVICE or ENVIRONMENT, ADR 0031). Replaces the trigger function of migration
 * 0013 for rollouts with the same body plus that field; the trigger itself stays.
 */
const fn = (withType: boolean) =>
  sql.raw(`CREATE OR REPLACE FUNCTION nucleon_rollouts_event() RETURNS trigger LANGUAGE plpgsql AS $$
  DECLARE
    r rollouts%ROWTYPE;
    v_status text;
    v_previous text;
    v_arn text;
    v_detail jsonb;
  BEGIN
    IF TG_OP = 'DELETE' THEN
      r := OLD; v_status := 'DELETED'; v_previous := OLD.status;
    ELSIF TG_OP = 'INSERT' THEN
      r := NEW; v_status := NEW.status; v_previous := NULL;
    ELSE
      IF NEW.status IS NOT DISTINCT FROM OLD.status THEN RETURN NULL; END IF;
      r := NEW; v_status := NEW.status; v_previous := OLD.status;
    END IF;
    -- Rollouts have no ARN column: delivery completes this one with the region and account.
    v_arn := 'rollout/' || r.id;
    v_detail := jsonb_build_object('id', r.id, 'templateName', r.template_name,
      ${withType ? "'templateType', r.template_kind, " : ''}'targetVersion', r.target_major::text || '.' || r.target_minor::text)
      || CASE WHEN r.status_message IS NULL THEN '{}'::jsonb
              ELSE jsonb_build_object('statusMessage', r.status_message) END;
    v_detail := v_detail || jsonb_build_object('status', v_status)
      || CASE WHEN v_previous IS NULL THEN '{}'::jsonb
              ELSE jsonb_build_object('previousStatus', v_previous) END;
    PERFORM nucleon_emit_event('Nucleon Rollout Status Change', v_arn, v_detail);
    RETURN NULL;
  END $$`);

export async function up(db: Kysely<unknown>): Promise<void> {
  await fn(true).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await fn(false).execute(db);
}
