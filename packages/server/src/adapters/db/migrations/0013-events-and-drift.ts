import { sql, type Kysely } from 'kysely';

/**
 * Events and scheduled drift (ADR 0023).
 *
 * Every status change of a template version, environment, service, service instance, pipeline,
 * component, environment account connection, deployment and rollout is written to
 * `event_outbox` by a trigger, so in the same transaction as the change whichever code path
 * made it. The trigger also writes one `event_deliveries` row and one `event-delivery` job per
 * matching subscription: delivery is a job (retried with the queue's backoff), at least once.
 *
 * `drift_schedule` is one row: when the scheduled drift scan runs next and its last report. A
 * scan claims its turn by moving `next_run_at` forward in one guarded UPDATE, so it runs once per
 * interval however many workers hold a `drift-scan` job.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('event_subscriptions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('secret_ciphertext', 'text', (c) => c.notNull())
    // null: every detail type; else a JSON array of the detail types wanted.
    .addColumn('detail_types', 'jsonb')
    .addColumn('description', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createTable('event_outbox')
    .addColumn('id', 'text', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()::text`))
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`clock_timestamp()`))
    .addColumn('detail_type', 'text', (c) => c.notNull())
    .addColumn('resource_arn', 'text', (c) => c.notNull())
    .addColumn('detail', 'jsonb', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('event_outbox_at_idx').on('event_outbox').columns(['at']).execute();
  await db.schema
    .createTable('event_deliveries')
    .addColumn('event_id', 'text', (c) =>
      c.notNull().references('event_outbox.id').onDelete('cascade'),
    )
    .addColumn('subscription_id', 'text', (c) =>
      c.notNull().references('event_subscriptions.id').onDelete('cascade'),
    )
    // PENDING | DELIVERED | FAILED
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('PENDING'))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('delivered_at', 'timestamptz')
    .addPrimaryKeyConstraint('event_deliveries_pk', ['event_id', 'subscription_id'])
    .execute();
  await db.schema
    .createIndex('event_deliveries_subscription_idx')
    .on('event_deliveries')
    .columns(['subscription_id', 'status'])
    .execute();

  // One function records an event and fans it out to the subscriptions that want it.
  await sql`
    CREATE FUNCTION nucleon_emit_event(p_type text, p_arn text, p_detail jsonb) RETURNS void
    LANGUAGE plpgsql AS $$
    DECLARE
      v_id text;
    BEGIN
      INSERT INTO event_outbox (detail_type, resource_arn, detail)
        VALUES (p_type, p_arn, p_detail) RETURNING id INTO v_id;
      INSERT INTO event_deliveries (event_id, subscription_id)
        SELECT v_id, s.id FROM event_subscriptions s
        WHERE s.detail_types IS NULL OR s.detail_types ? p_type;
      INSERT INTO jobs (queue, payload, max_attempts)
        SELECT 'event-delivery',
               jsonb_build_object('eventId', v_id, 'subscriptionId', s.id), 8
        FROM event_subscriptions s
        WHERE s.detail_types IS NULL OR s.detail_types ? p_type;
    END $$`.execute(db);

  // status, previousStatus: the row's status column before and after (DELETED on delete).
  const trigger = async (
    table: string,
    statusColumn: string,
    body: string /* sets v_type and v_detail from r */,
    arnOf = 'r.arn',
  ) => {
    await sql
      .raw(
        `CREATE FUNCTION nucleon_${table}_event() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
          r ${table}%ROWTYPE;
          v_status text;
          v_previous text;
          v_type text;
          v_arn text;
          v_detail jsonb;
        BEGIN
          IF TG_OP = 'DELETE' THEN
            r := OLD; v_status := 'DELETED'; v_previous := OLD.${statusColumn};
          ELSIF TG_OP = 'INSERT' THEN
            r := NEW; v_status := NEW.${statusColumn}; v_previous := NULL;
          ELSE
            IF NEW.${statusColumn} IS NOT DISTINCT FROM OLD.${statusColumn} THEN RETURN NULL; END IF;
            r := NEW; v_status := NEW.${statusColumn}; v_previous := OLD.${statusColumn};
          END IF;
          v_arn := ${arnOf};
          ${body}
          IF v_type IS NOT NULL THEN
            v_detail := v_detail || jsonb_build_object('status', v_status)
              || CASE WHEN v_previous IS NULL THEN '{}'::jsonb
                      ELSE jsonb_build_object('previousStatus', v_previous) END;
            PERFORM nucleon_emit_event(v_type, v_arn, v_detail);
          END IF;
          RETURN NULL;
        END $$`,
      )
      .execute(db);
    await sql
      .raw(
        `CREATE TRIGGER ${table}_status_event AFTER INSERT OR DELETE OR UPDATE OF ${statusColumn}
         ON ${table} FOR EACH ROW EXECUTE FUNCTION nucleon_${table}_event()`,
      )
      .execute(db);
  };
  await trigger(
    'template_versions',
    'status',
    `v_type := CASE r.kind WHEN 'ENVIRONMENT' THEN 'AWS Proton Environment Template Version Status Change'
                           ELSE 'AWS Proton Service Template Version Status Change' END;
     v_detail := jsonb_build_object('name', r.template_name, 'majorVersion', r.major::text,
                                    'minorVersion', r.minor::text);`,
  );
  await trigger(
    'resources',
    'deployment_status',
    `v_type := CASE r.kind
                 WHEN 'ENVIRONMENT' THEN 'AWS Proton Environment Status Change'
                 WHEN 'SERVICE_INSTANCE' THEN 'AWS Proton Service Instance Status Change'
                 WHEN 'SERVICE_PIPELINE' THEN 'AWS Proton Service Pipeline Status Change'
                 WHEN 'COMPONENT' THEN 'AWS Proton Component Status Change' END;
     v_detail := CASE r.kind
                   WHEN 'SERVICE_INSTANCE' THEN jsonb_build_object('name', r.name, 'serviceName', r.service_name)
                   WHEN 'SERVICE_PIPELINE' THEN jsonb_build_object('serviceName', r.service_name)
                   ELSE jsonb_build_object('name', r.name) END;`,
  );
  await trigger(
    'services',
    'status',
    `v_type := 'AWS Proton Service Status Change'; v_detail := jsonb_build_object('name', r.name);`,
  );
  await trigger(
    'environment_account_connections',
    'status',
    `v_type := 'AWS Proton Environment Account Connection Status Change';
     v_detail := jsonb_build_object('id', r.id);`,
  );
  await trigger(
    'deployments',
    'status',
    `v_type := 'Nucleon Deployment Status Change';
     v_detail := jsonb_build_object('id', r.id, 'targetResourceType', r.target_kind,
       'targetName', r.target_name, 'serviceName', NULLIF(r.target_service, ''),
       'environmentName', r.environment_name, 'targetArn', r.target_arn)
       || CASE WHEN r.status_message IS NULL THEN '{}'::jsonb
               ELSE jsonb_build_object('statusMessage', r.status_message) END;`,
  );
  await trigger(
    'rollouts',
    'status',
    `v_type := 'Nucleon Rollout Status Change';
     v_detail := jsonb_build_object('id', r.id, 'templateName', r.template_name,
       'targetVersion', r.target_major::text || '.' || r.target_minor::text)
       || CASE WHEN r.status_message IS NULL THEN '{}'::jsonb
               ELSE jsonb_build_object('statusMessage', r.status_message) END;`,
    // Rollouts have no ARN column: delivery completes this one with the region and account.
    `'rollout/' || r.id`,
  );

  await db.schema
    .createTable('drift_schedule')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('next_run_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_run_at', 'timestamptz')
    .addColumn('last_report', 'jsonb')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'template_versions',
    'resources',
    'services',
    'environment_account_connections',
    'deployments',
    'rollouts',
  ]) {
    await sql.raw(`DROP TRIGGER ${table}_status_event ON ${table}`).execute(db);
    await sql.raw(`DROP FUNCTION nucleon_${table}_event()`).execute(db);
  }
  await sql`DROP FUNCTION nucleon_emit_event(text, text, jsonb)`.execute(db);
  await db.schema.dropTable('drift_schedule').execute();
  await db.schema.dropTable('event_deliveries').execute();
  await db.schema.dropTable('event_outbox').execute();
  await db.schema.dropTable('event_subscriptions').execute();
}
