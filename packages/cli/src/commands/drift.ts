import type { Command } from 'commander';
import { extensionTargetPrefix } from '@nucleon/protocol';
import { resolveConnection, type ConnectionFlags } from '../connection.js';
import { printTable } from '../output.js';

interface Entry {
  kind: string;
  name: string;
  serviceName?: string;
  environmentName?: string;
  version?: string;
  engine?: string;
  drifted: boolean;
  status?: 'IN_SYNC' | 'DRIFTED' | 'ACCEPTED' | 'NOT_CHECKED';
  driftFingerprint?: string;
  acceptance?: { driftFingerprint: string; acceptedBy: string; acceptedAt: number };
  note?: string;
  renderedChanges?: Array<{ path: string; diff?: string }>;
  stack?: { stackName?: string; note?: string; templateDiff?: string; detectionNote?: string };
  /** A codebuild template's `drift` commands. */
  driftCommand?: { status: string; exitCode?: number; message: string; output?: string };
  actions?: string[];
}

const lastLine = (text: string | undefined) => text?.trim().split('\n').pop();
const resourceName = (r: Entry) => (r.serviceName ? `${r.serviceName}/${r.name}` : r.name);
const status = (r: Entry) =>
  r.status ?? (r.drifted ? 'DRIFTED' : r.note ? 'NOT_CHECKED' : 'IN_SYNC');

export function registerDriftCommands(program: Command, setExit: (code: number) => void): void {
  const drift = program
    .command('drift')
    .description(
      "report drift: what each environment and service instance renders to now against what was deployed, CloudFormation stacks changed out of band, and codebuild templates' own drift commands (exit 1 when something drifted that was not accepted; see `nucleon drift accept`)",
    )
    .option('--template <name>', 'only resources of this template')
    .option('--environment <name>', 'only resources in this environment')
    .option('--detect', "also run CloudFormation's own drift detection (DetectStackDrift)")
    .option(
      '--last',
      'show the last scheduled check (NUCLEON_DRIFT_INTERVAL_SECONDS on the server) instead of checking now',
    )
    .option('--diff', "print the diffs (and drift commands' output) of drifted resources")
    .option('-o, --output <format>', 'text or json', 'text')
    .option('--endpoint-url <url>', 'Nucleon endpoint (AWS_ENDPOINT_URL_PROTON, AWS_ENDPOINT_URL)')
    .option('--profile <name>', 'credentials profile (AWS_PROFILE)')
    .option('--region <region>', 'signing region (AWS_REGION)')
    .action(
      async (
        f: ConnectionFlags & {
          template?: string;
          environment?: string;
          detect?: boolean;
          last?: boolean;
          diff?: boolean;
          output?: string;
        },
      ) => {
        const { client } = resolveConnection(f);
        const out = (await client.send(`${extensionTargetPrefix}.GetDriftReport`, {
          ...(f.template ? { templateName: f.template } : {}),
          ...(f.environment ? { environmentName: f.environment } : {}),
          ...(f.detect ? { detectStackDrift: true } : {}),
          ...(f.last ? { lastScheduled: true } : {}),
        })) as {
          resources: Entry[];
          checkedAt?: number;
          lastScheduledCheck?: { checkedAt: number; resourceCount: number; driftedCount: number };
        };
        const { resources } = out;
        const at = (s: number) => new Date(s * 1000).toISOString();
        if (f.output === 'json') process.stdout.write(JSON.stringify(resources, null, 2) + '\n');
        else {
          if (out.checkedAt)
            process.stdout.write(`Scheduled drift check of ${at(out.checkedAt)}:\n`);
          printTable(
            resources.map((r) => ({
              resource: resourceName(r),
              kind: r.kind,
              version: r.version,
              engine: r.engine,
              drift:
                { IN_SYNC: 'in sync', NOT_CHECKED: 'not checked' }[status(r) as string] ??
                status(r),
              why: [
                ...(r.renderedChanges?.length
                  ? [`renders differently: ${r.renderedChanges.map((c) => c.path).join(', ')}`]
                  : []),
                ...(r.stack?.templateDiff ? [`stack ${r.stack.stackName} edited out of band`] : []),
                ...(r.stack?.note ? [r.stack.note] : []),
                ...(r.driftCommand?.status === 'DRIFTED'
                  ? [`drift commands: ${lastLine(r.driftCommand.output) ?? r.driftCommand.message}`]
                  : r.driftCommand?.status === 'NOT_CHECKED'
                    ? [`drift commands not checked: ${r.driftCommand.message}`]
                    : []),
                ...(r.note ? [r.note] : []),
                ...(r.acceptance
                  ? [`accepted by ${r.acceptance.acceptedBy} at ${at(r.acceptance.acceptedAt)}`]
                  : []),
              ].join('; '),
            })),
            ['resource', 'kind', 'version', 'engine', 'drift', 'why'],
          );
          if (f.diff)
            for (const r of resources.filter((x) => x.drifted)) {
              for (const c of r.renderedChanges ?? []) if (c.diff) process.stdout.write(c.diff);
              if (r.stack?.templateDiff) process.stdout.write(r.stack.templateDiff);
              if (r.driftCommand?.status === 'DRIFTED' && r.driftCommand.output)
                process.stdout.write(`${r.driftCommand.output}\n`);
            }
          if (resources.some((r) => r.drifted)) {
            process.stdout.write(
              'Redeploy a drifted resource to converge it (deploymentType CURRENT_VERSION), or accept its drift as it is:\n',
            );
            for (const r of resources.filter((x) => x.drifted && x.driftFingerprint))
              process.stdout.write(
                `  nucleon drift accept ${resourceName(r)} --fingerprint ${r.driftFingerprint}\n`,
              );
          }
          const last = out.lastScheduledCheck;
          if (last)
            process.stdout.write(
              `Last scheduled check ${at(last.checkedAt)}: ${last.driftedCount} of ${last.resourceCount} drifted (nucleon drift --last).\n`,
            );
        }
        setExit(resources.some((r) => r.drifted) ? 1 : 0);
      },
    );

  drift
    .command('accept <resource>')
    .description(
      'accept the drift of an environment (<environment>) or a service instance (<service>/<instance>) as the drift report shows it: later reports show it ACCEPTED (exit 0) until it drifts differently or is deployed again',
    )
    .requiredOption(
      '--fingerprint <sha256>',
      'the driftFingerprint the drift report shows for the resource (`nucleon drift` prints the accept command); refused when the resource has drifted differently since',
    )
    .option('-o, --output <format>', 'text or json', 'text')
    .option('--endpoint-url <url>', 'Nucleon endpoint (AWS_ENDPOINT_URL_PROTON, AWS_ENDPOINT_URL)')
    .option('--profile <name>', 'credentials profile (AWS_PROFILE)')
    .option('--region <region>', 'signing region (AWS_REGION)')
    .action(
      async (resource: string, f: ConnectionFlags & { fingerprint: string; output?: string }) => {
        const { client } = resolveConnection(f);
        const slash = resource.indexOf('/');
        const { resource: r } = (await client.send(`${extensionTargetPrefix}.AcceptDrift`, {
          ...(slash < 0
            ? { environmentName: resource }
            : {
                serviceName: resource.slice(0, slash),
                serviceInstanceName: resource.slice(slash + 1),
              }),
          driftFingerprint: f.fingerprint,
        })) as { resource: Entry };
        if (f.output === 'json') process.stdout.write(JSON.stringify(r, null, 2) + '\n');
        else
          process.stdout.write(
            `Accepted the drift of ${r.kind === 'ENVIRONMENT' ? 'environment' : 'service instance'} ${resourceName(r)} (${status(r)}); it is reported again if it drifts differently, and a deployment converges it.\n`,
          );
        setExit(0);
      },
    );

  program
    .command('currency')
    .description(
      'version currency: environments, service instances and pipelines per template × version, how far behind the published versions and since when',
    )
    .option('--template <name>', 'only this template')
    .option('-o, --output <format>', 'text or json', 'text')
    .option('--endpoint-url <url>', 'Nucleon endpoint (AWS_ENDPOINT_URL_PROTON, AWS_ENDPOINT_URL)')
    .option('--profile <name>', 'credentials profile (AWS_PROFILE)')
    .option('--region <region>', 'signing region (AWS_REGION)')
    .action(async (f: ConnectionFlags & { template?: string; output?: string }) => {
      const { client } = resolveConnection(f);
      const { versions } = (await client.send(`${extensionTargetPrefix}.GetVersionCurrency`, {
        ...(f.template ? { templateName: f.template } : {}),
      })) as { versions: Array<Record<string, unknown>> };
      if (f.output === 'json') process.stdout.write(JSON.stringify(versions, null, 2) + '\n');
      else
        printTable(
          versions.map((v) => ({
            template: `${String(v.templateKind).toLowerCase()}/${String(v.templateName)}`,
            version: v.version,
            kind: v.resourceKind,
            count: v.count,
            recommended: v.recommendedVersion ?? '',
            behind:
              v.behind === 'UP_TO_DATE'
                ? 'up to date'
                : `${String(v.majorsBehind)} major, ${String(v.minorsBehind)} minor`,
            since:
              typeof v.behindSince === 'number' ? new Date(v.behindSince * 1000).toISOString() : '',
          })),
          ['template', 'version', 'kind', 'count', 'recommended', 'behind', 'since'],
        );
      setExit(0);
    });
}
