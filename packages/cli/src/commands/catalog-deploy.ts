import type { Command } from 'commander';
import {
  extensionTargetPrefix,
  type DeploymentSummary,
  type ProtonClient,
} from '@nucleon/protocol';
import { printTable } from '../output.js';
import {
  CliError,
  action,
  formatDuration,
  formatTime,
  printJson,
  sleep,
  withConnection,
  type CatalogFlags,
  type SetExit,
} from './catalog-common.js';

/** What GetDeploymentDetails answers (timestamps as epoch seconds). */
export interface DeploymentDetails {
  deployment: {
    id: string;
    deploymentStatus: string;
    deploymentStatusMessage?: string;
    targetArn: string;
    targetResourceType: string;
    environmentName: string;
    serviceName?: string;
    serviceInstanceName?: string;
    createdAt: number;
    completedAt?: number;
  };
  engine?: string;
  operation?: string;
  outputs?: Array<{ key: string; valueString: string }>;
  events: Array<{ id: number; at: number; kind: string; message: string }>;
}

export const ACTIVE_STATUSES = new Set(['IN_PROGRESS', 'CANCELLING', 'DELETE_IN_PROGRESS']);
export const SUCCESS_STATUSES = new Set(['SUCCEEDED', 'DELETE_COMPLETE']);

export interface WatchOptions {
  /** Where the live view goes: stdout, or stderr when stdout carries JSON. */
  out?: NodeJS.WriteStream;
  /** Log lines shown from before the watch started. */
  tail?: number;
  intervalMs?: number;
}

/** The name people know a deployment's target by: `dev`, `web/web-a`, `web/pipeline`. */
export function targetLabel(d: {
  targetResourceType: string;
  environmentName: string;
  serviceName?: string;
  serviceInstanceName?: string;
}): string {
  if (d.targetResourceType === 'ENVIRONMENT') return d.environmentName;
  if (d.targetResourceType === 'SERVICE_PIPELINE') return `${d.serviceName}/pipeline`;
  return `${d.serviceName ?? ''}/${d.serviceInstanceName ?? ''}`;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const clock = (epoch: number) => new Date(epoch * 1000).toISOString().slice(11, 19);
const elapsed = (d: DeploymentDetails['deployment']) =>
  formatDuration(((d.completedAt ?? Date.now() / 1000) - d.createdAt) * 1000);

/**
 * The live view of running deployments: their status, elapsed time and log, polled every 500 ms
 * through GetDeploymentDetails with afterEventId. On a terminal one compact status line is
 * redrawn under the log; elsewhere status changes are plain lines. Resolves once every
 * deployment has ended, with whether all of them succeeded.
 */
export async function watchDeployments(
  client: ProtonClient,
  ids: readonly string[],
  options: WatchOptions = {},
): Promise<{ ok: boolean; details: DeploymentDetails[] }> {
  const out = options.out ?? process.stdout;
  const tty = !!out.isTTY && process.env.TERM !== 'dumb';
  const tail = options.tail ?? 20;
  const interval = options.intervalMs ?? 500;
  const fetch = (id: string, after: number) =>
    client.send(`${extensionTargetPrefix}.GetDeploymentDetails`, {
      id,
      afterEventId: after,
      includeRendered: false,
    }) as Promise<DeploymentDetails>;
  const state = (
    await Promise.all(
      ids.map(async (id) => ({
        id,
        details: await fetch(id, 0),
        last: 0,
        done: false,
        first: true,
        status: '',
      })),
    )
  ).sort((a, b) =>
    targetLabel(a.details.deployment).localeCompare(targetLabel(b.details.deployment)),
  );
  const many = state.length > 1;
  let statusShown = false;
  let frame = 0;
  const clearStatus = () => {
    if (tty && statusShown) out.write('\r\x1b[2K');
    statusShown = false;
  };
  const drawStatus = () => {
    if (!tty) return;
    const parts = state.map(
      (s) =>
        `${many ? `${targetLabel(s.details.deployment)} ` : ''}${s.details.deployment.deploymentStatus} ${elapsed(s.details.deployment)}`,
    );
    const line = `${SPINNER[frame++ % SPINNER.length]} ${many ? '' : `${targetLabel(state[0]!.details.deployment)} `}${parts.join(' · ')}`;
    out.write(`\r\x1b[2K${line.slice(0, Math.max(20, (out.columns || 100) - 1))}`);
    statusShown = true;
  };
  const write = (text: string) => {
    clearStatus();
    out.write(text);
  };
  const stopHint = () => {
    clearStatus();
    out.write(
      `\nstopped watching; the deployment goes on. Resume with: ${ids.map((id) => `nucleon deployments watch ${id}`).join(' ; ')}\n`,
    );
    process.exit(130);
  };
  process.once('SIGINT', stopHint);
  try {
    for (;;) {
      for (const s of state) {
        if (s.done) continue;
        if (!s.first) s.details = await fetch(s.id, s.last);
        const d = s.details.deployment;
        const label = targetLabel(d);
        let events = s.details.events;
        if (s.first) {
          write(
            `deployment ${d.id} · ${(s.details.operation ?? 'DEPLOY').toLowerCase()} ${d.targetResourceType.toLowerCase().replace('_', ' ')} ${label}${s.details.engine ? ` · ${s.details.engine}` : ''}\n`,
          );
          if (events.length > tail) {
            write(
              `  … ${events.length - tail} earlier log lines (nucleon deployment show ${d.id} --log)\n`,
            );
            events = events.slice(-tail);
          }
          s.first = false;
        }
        for (const e of events)
          write(
            `  ${clock(e.at)} ${many ? `[${label}] ` : ''}${e.kind === 'stderr' ? '! ' : ''}${e.message}\n`,
          );
        s.last = s.details.events.at(-1)?.id ?? s.last;
        if (!tty && d.deploymentStatus !== s.status && ACTIVE_STATUSES.has(d.deploymentStatus))
          write(`${label}: ${d.deploymentStatus} (${elapsed(d)})\n`);
        s.status = d.deploymentStatus;
        if (!ACTIVE_STATUSES.has(d.deploymentStatus)) {
          s.done = true;
          const mark = SUCCESS_STATUSES.has(d.deploymentStatus) ? '✓' : '✗';
          write(
            `${mark} ${label}: ${d.deploymentStatus} after ${elapsed(d)}${d.deploymentStatusMessage && !SUCCESS_STATUSES.has(d.deploymentStatus) ? ` — ${d.deploymentStatusMessage}` : ''}\n`,
          );
        }
      }
      if (state.every((s) => s.done)) break;
      drawStatus();
      await sleep(interval);
    }
  } finally {
    clearStatus();
    process.removeListener('SIGINT', stopHint);
  }
  const details = state.map((s) => s.details);
  return { ok: details.every((d) => SUCCESS_STATUSES.has(d.deployment.deploymentStatus)), details };
}

/** Watches and turns failure into a CliError naming the failed deployments and where their logs are. */
export async function watchOrFail(
  client: ProtonClient,
  ids: readonly string[],
  flags: CatalogFlags,
): Promise<DeploymentDetails[]> {
  const { ok, details } = await watchDeployments(client, ids, {
    out: flags.output === 'json' ? process.stderr : process.stdout,
  });
  if (!ok) {
    const failed = details.filter((d) => !SUCCESS_STATUSES.has(d.deployment.deploymentStatus));
    throw new CliError(
      failed
        .map(
          (d) =>
            `the deployment of ${targetLabel(d.deployment)} ${d.deployment.deploymentStatus}${d.deployment.deploymentStatusMessage ? `: ${d.deployment.deploymentStatusMessage}` : ''}`,
        )
        .join('\n'),
      `see the full log with: ${failed.map((d) => `nucleon deployment show ${d.deployment.id} --log`).join(' ; ')}`,
    );
  }
  return details;
}

interface ListFlags extends CatalogFlags {
  env?: string;
  service?: string;
  instance?: string;
  limit?: string;
}

function deploymentRow(d: DeploymentSummary) {
  return {
    id: d.id,
    target: targetLabel(d),
    type: d.targetResourceType,
    status: d.deploymentStatus,
    started: formatTime(d.createdAt),
    took: d.completedAt
      ? formatDuration(d.completedAt.getTime() - d.createdAt.getTime())
      : ACTIVE_STATUSES.has(d.deploymentStatus)
        ? `${formatDuration(Date.now() - d.createdAt.getTime())}…`
        : '',
  };
}

/** `nucleon deployments list|watch`. */
export function registerDeploymentsCommands(program: Command, setExit: SetExit): void {
  const deployments = program
    .command('deployments')
    .description(
      'deployment history and the live view of a running deployment (details and rendered files: nucleon deployment show <id>)',
    );

  withConnection(deployments.command('list', { isDefault: true }))
    .description('list deployments, newest first')
    .option(
      '--env <environment>',
      'only deployments of this environment (and the service instances in it)',
    )
    .option('--service <service>', 'only deployments of this service')
    .option('--instance <instance>', 'with --service: only deployments of this instance')
    .option('--limit <n>', 'show at most n deployments', '50')
    .action(
      action(
        setExit,
        {
          ResourceNotFoundException:
            'check the names with `nucleon envs list` or `nucleon services list`',
        },
        async (client, flags: ListFlags) => {
          if (flags.instance && !flags.service)
            throw new CliError(
              '--instance needs --service.',
              'for example: nucleon deployments list --service web --instance web-a',
            );
          const limit = Number(flags.limit);
          if (!Number.isInteger(limit) || limit < 1)
            throw new CliError(`--limit takes a positive number (got "${flags.limit}").`);
          const items: DeploymentSummary[] = [];
          let nextToken: string | undefined;
          do {
            const o = await client.call('ListDeployments', {
              ...(flags.env ? { environmentName: flags.env } : {}),
              ...(flags.service ? { serviceName: flags.service } : {}),
              ...(flags.instance ? { serviceInstanceName: flags.instance } : {}),
              ...(nextToken ? { nextToken } : {}),
            });
            items.push(...o.deployments);
            nextToken = o.nextToken;
          } while (nextToken && items.length < limit);
          const shown = items.slice(0, limit);
          if (flags.output === 'json') return printJson(shown);
          if (shown.length === 0) {
            process.stdout.write(
              'no deployments yet. Create an environment with: nucleon envs create <name> --template <t> --wait\n',
            );
            return;
          }
          printTable(shown.map(deploymentRow), [
            'id',
            'target',
            'type',
            'status',
            'started',
            'took',
          ]);
        },
      ),
    );

  withConnection(deployments.command('watch <id>'))
    .description(
      'live view of a deployment: status, elapsed time and its log until it ends; exits 1 unless it succeeds',
    )
    .option('--tail <n>', 'log lines to show from before the watch started', '20')
    .action(
      action(
        setExit,
        { ResourceNotFoundException: 'list deployment ids with `nucleon deployments list`' },
        async (client, id: string, flags: CatalogFlags & { tail: string }) => {
          const tail = Number(flags.tail);
          if (!Number.isInteger(tail) || tail < 0)
            throw new CliError(`--tail takes a number of lines (got "${flags.tail}").`);
          const { ok, details } = await watchDeployments(client, [id], {
            tail,
            out: flags.output === 'json' ? process.stderr : process.stdout,
          });
          const d = details[0]!;
          if (flags.output === 'json')
            printJson({ deployment: d.deployment, outputs: d.outputs ?? [] });
          else if (d.outputs?.length && ok)
            process.stdout.write(
              ['outputs', ...d.outputs.map((o) => `  ${o.key} = ${o.valueString}`)].join('\n') +
                '\n',
            );
          if (!ok) {
            process.stderr.write(
              `nucleon: the deployment of ${targetLabel(d.deployment)} ${d.deployment.deploymentStatus}${d.deployment.deploymentStatusMessage ? `: ${d.deployment.deploymentStatusMessage}` : ''}\nhint: see the full log with: nucleon deployment show ${id} --log\n`,
            );
            return 1;
          }
        },
      ),
    );
}
