import type { Command } from 'commander';
import { extensionTargetPrefix } from '@nucleon/protocol';
import { resolveConnection, type ConnectionFlags } from '../connection.js';

interface ShowFlags extends ConnectionFlags {
  rendered?: boolean;
  log?: boolean;
  follow?: boolean;
  output?: string;
}

interface Details {
  deployment: Record<string, unknown> & {
    deploymentStatus: string;
    id: string;
    targetArn: string;
    createdAt: number;
    completedAt?: number;
    deploymentStatusMessage?: string;
  };
  engine?: string;
  operation?: string;
  outputs?: Array<{ key: string; valueString: string }>;
  events: Array<{ id: number; at: number; kind: string; message: string }>;
  renderedFiles?: Array<{ path: string; content: string }>;
}

const ACTIVE = new Set(['IN_PROGRESS', 'CANCELLING', 'DELETE_IN_PROGRESS']);
const time = (epoch: number) => new Date(epoch * 1000).toISOString();

function printLog(events: Details['events']): void {
  for (const e of events) {
    const stream = e.kind === 'stderr' ? process.stderr : process.stdout;
    stream.write(`${time(e.at)} ${e.kind.padEnd(6)} ${e.message}\n`);
  }
}

export function registerDeploymentCommands(
  program: Command,
  setExit: (code: number) => void,
): void {
  const deployment = program
    .command('deployment')
    .description('deployments: state, log and the exact files rendered');
  deployment
    .command('show <id>')
    .description(
      "show a deployment's state and outputs; --log prints its full log, --rendered the files it rendered, --follow streams the log until it ends (exit 1 if it did not succeed)",
    )
    .option('--log', 'print every log line (status changes, engine events, command output)')
    .option('--rendered', 'print every file the deployment rendered')
    .option('-f, --follow', 'keep printing new log lines until the deployment ends')
    .option('-o, --output <format>', 'text or json', 'text')
    .option('--endpoint-url <url>', 'Nucleon endpoint (AWS_ENDPOINT_URL_PROTON, AWS_ENDPOINT_URL)')
    .option('--profile <name>', 'credentials profile (AWS_PROFILE)')
    .option('--region <region>', 'signing region (AWS_REGION)')
    .action(async (id: string, flags: ShowFlags) => {
      const { client } = resolveConnection(flags);
      const fetchDetails = (after: number) =>
        client.send(`${extensionTargetPrefix}.GetDeploymentDetails`, {
          id,
          afterEventId: after,
          includeRendered: !!flags.rendered,
        }) as Promise<Details>;
      let details = await fetchDetails(0);
      if (flags.output === 'json') {
        process.stdout.write(JSON.stringify(details, null, 2) + '\n');
        setExit(0);
        return;
      }
      const d = details.deployment;
      process.stdout.write(
        [
          `deployment ${d.id}`,
          `  target     ${d.targetArn}`,
          `  operation  ${details.operation ?? ''} on ${details.engine ?? ''}`,
          `  status     ${d.deploymentStatus}${d.deploymentStatusMessage ? ` — ${d.deploymentStatusMessage}` : ''}`,
          `  started    ${time(d.createdAt)}${d.completedAt ? `, ended ${time(d.completedAt)}` : ''}`,
          ...(details.outputs?.length
            ? ['  outputs', ...details.outputs.map((o) => `    ${o.key} = ${o.valueString}`)]
            : []),
        ].join('\n') + '\n',
      );
      if (flags.rendered) {
        for (const f of details.renderedFiles ?? [])
          process.stdout.write(
            `\n--- ${f.path}\n${f.content}${f.content.endsWith('\n') ? '' : '\n'}`,
          );
      }
      if (flags.log || flags.follow) {
        process.stdout.write('\n');
        printLog(details.events);
      }
      let last = details.events.at(-1)?.id ?? 0;
      while (flags.follow && ACTIVE.has(details.deployment.deploymentStatus)) {
        await new Promise((r) => setTimeout(r, 1000));
        details = await fetchDetails(last);
        printLog(details.events);
        last = details.events.at(-1)?.id ?? last;
      }
      const status = details.deployment.deploymentStatus;
      setExit(flags.follow && !(status === 'SUCCEEDED' || status === 'DELETE_COMPLETE') ? 1 : 0);
    });
}
