import type { Kysely } from 'kysely';
import type { ResourceFacts } from '../../ports/resource-facts.js';
import type { Database } from './schema.js';

/** Reads the templates and environments existing services, instances and components use. */
export class PostgresResourceFacts implements ResourceFacts {
  constructor(private readonly db: Kysely<Database>) {}

  async connectionArn(id: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('environment_account_connections')
      .select('arn')
      .where('id', '=', id)
      .executeTakeFirst();
    return row?.arn;
  }

  async serviceTemplate(serviceName: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('services')
      .select('template_name')
      .where('name', '=', serviceName)
      .executeTakeFirst();
    return row?.template_name;
  }

  async serviceEnvironments(serviceName: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('resources')
      .select('environment_name')
      .where('kind', '=', 'SERVICE_INSTANCE')
      .where('service_name', '=', serviceName)
      .execute();
    return rows.flatMap((r) => (r.environment_name ? [r.environment_name] : []));
  }

  async instanceEnvironment(
    serviceName: string,
    instanceName: string,
  ): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('resources')
      .select('environment_name')
      .where('kind', '=', 'SERVICE_INSTANCE')
      .where('service_name', '=', serviceName)
      .where('name', '=', instanceName)
      .executeTakeFirst();
    return row?.environment_name ?? undefined;
  }

  async componentEnvironment(componentName: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('resources')
      .select('environment_name')
      .where('kind', '=', 'COMPONENT')
      .where('service_name', '=', '')
      .where('name', '=', componentName)
      .executeTakeFirst();
    return row?.environment_name ?? undefined;
  }
}
