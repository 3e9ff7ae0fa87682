import type { Command } from 'commander';
import { extensionTargetPrefix } from '@nucleon/protocol';
import { resolveConnection, type ConnectionFlags } from '../connection.js';
import { printTable } from '../output.js';

interface Flags extends ConnectionFlags {
  output?: string;
}

const time = (v: unknown) =>
  typeof v === 'number' ? new Date(v * 1000).toISOString() : typeof v === 'string' ? v : '';

function connection(cmd: Command): Command {
  return cmd
    .option('-o, --output <format>', 'text or json', 'text')
    .option('--endpoint-url <url>', 'Nucleon endpoint (AWS_ENDPOINT_URL_PROTON, AWS_ENDPOINT_URL)')
    .option('--profile <name>', 'credentials profile (AWS_PROFILE)')
    .option('--region <region>', 'signing region (AWS_REGION)');
}

/** `nucleon events subscribe|list|unsubscribe|deliveries`: webhooks and EventBridge buses. */
export function registerEventCommands(program: Command, setExit: (code: number) => void): void {
  const events = program
    .command('events')
    .description(
      'status-change events (Proton EventBridge shapes) delivered to HMAC-signed webhooks or EventBridge buses (admins)',
    );
  const send = async (f: Flags, op: string, input: Record<string, unknown>) =>
    (await resolveConnection(f).client.send(`${extensionTargetPrefix}.${op}`, input)) as Record<
      string,
      unknown
    >;

  connection(
    events
      .command('subscribe [url]')
      .description(
        'deliver events to a webhook URL (a POST per event, signed in the x-nucleon-signature header: v1=hex HMAC-SHA256 of "<x-nucleon-timestamp>.<body>"; prints the secret once), or with --event-bus to an EventBridge event bus (PutEvents with the AWS credentials the server runs with)',
      )
      .option(
        '--secret <secret>',
        'webhooks: the HMAC key (at least 16 characters); default: a new random one',
      )
      .option('--event-bus <name|arn>', 'send to this EventBridge event bus instead of a URL')
      .option(
        '--event-bus-region <region>',
        'the bus’s region (default: the ARN’s, else the server’s NUCLEON_REGION)',
      )
      .option(
        '--source <source>',
        'the events’ Source on EventBridge (default nucleon.proton; AWS refuses sources starting with aws.)',
      )
      .option(
        '--detail-type <type>',
        'only events of this detail type (repeatable), e.g. "AWS Proton Service Instance Status Change"',
        (v: string, prev: string[] = []) => [...prev, v],
      )
      .option('--description <text>', 'a note about the receiver'),
  ).action(
    async (
      url: string | undefined,
      f: Flags & {
        secret?: string;
        eventBus?: string;
        eventBusRegion?: string;
        source?: string;
        detailType?: string[];
        description?: string;
      },
    ) => {
      const out = await send(f, 'CreateEventSubscription', {
        ...(url !== undefined ? { url } : {}),
        ...(f.secret ? { secret: f.secret } : {}),
        ...(f.eventBus ? { eventBus: f.eventBus } : {}),
        ...(f.eventBusRegion ? { eventBusRegion: f.eventBusRegion } : {}),
        ...(f.source ? { source: f.source } : {}),
        ...(f.detailType?.length ? { detailTypes: f.detailType } : {}),
        ...(f.description ? { description: f.description } : {}),
      });
      const s = out.subscription as {
        id: string;
        secret?: string;
        eventBus?: string;
        eventBusRegion?: string;
        source?: string;
      };
      if (f.output === 'json') process.stdout.write(JSON.stringify(s, null, 2) + '\n');
      else if (s.secret)
        process.stdout.write(
          `Subscribed ${s.id}.\nSecret (shown once; verify x-nucleon-signature with it): ${s.secret}\n`,
        );
      else
        process.stdout.write(
          `Subscribed ${s.id}: events go to EventBridge bus ${s.eventBus} (${s.eventBusRegion}) with source ${s.source}.\n`,
        );
      setExit(0);
    },
  );

  connection(events.command('list').description('list event subscriptions')).action(
    async (f: Flags) => {
      const { subscriptions } = (await send(f, 'ListEventSubscriptions', {})) as {
        subscriptions: Array<Record<string, unknown>>;
      };
      if (f.output === 'json') process.stdout.write(JSON.stringify(subscriptions, null, 2) + '\n');
      else
        printTable(
          subscriptions.map((s) => ({
            id: s.id,
            target: s.url ?? `eventbridge:${String(s.eventBus)} (${String(s.eventBusRegion)})`,
            detailTypes: Array.isArray(s.detailTypes) ? s.detailTypes.join(', ') : 'all',
            created: time(s.createdAt),
          })),
          ['id', 'target', 'detailTypes', 'created'],
        );
      setExit(0);
    },
  );

  connection(events.command('unsubscribe <id>').description('delete an event subscription')).action(
    async (id: string, f: Flags) => {
      await send(f, 'DeleteEventSubscription', { id });
      if (f.output === 'json') process.stdout.write('{}\n');
      else process.stdout.write(`Deleted ${id}.\n`);
      setExit(0);
    },
  );

  connection(
    events
      .command('deliveries')
      .description('recent deliveries, newest first: DELIVERED, PENDING (retrying) or FAILED')
      .option('--subscription <id>', 'only this subscription’s')
      .option('--max <n>', 'how many (default 100)'),
  ).action(async (f: Flags & { subscription?: string; max?: string }) => {
    const { deliveries } = (await send(f, 'ListEventDeliveries', {
      ...(f.subscription ? { subscriptionId: f.subscription } : {}),
      ...(f.max ? { maxResults: Number(f.max) } : {}),
    })) as { deliveries: Array<Record<string, unknown>> };
    if (f.output === 'json') process.stdout.write(JSON.stringify(deliveries, null, 2) + '\n');
    else
      printTable(
        deliveries.map((d) => ({
          time: time(d.time),
          event: d.detailType,
          resource: d.resourceArn,
          status: d.status,
          attempts: d.attempts,
          error: d.lastError ?? '',
        })),
        ['time', 'event', 'resource', 'status', 'attempts', 'error'],
      );
    setExit(deliveries.some((d) => d.status === 'FAILED') ? 1 : 0);
  });
}
