import type { Command } from 'commander';
import { extensionTargetPrefix, type ProtonClient } from '@nucleon/protocol';
import { resolveConnection, type ConnectionFlags } from '../connection.js';
import { printTable } from '../output.js';

interface Flags extends ConnectionFlags {
  output?: string;
}

/** `--template-type service|environment` → the operation's templateType. */
function templateType(f: { templateType?: string }): { templateType?: string } {
  if (f.templateType === undefined) return {};
  const t = f.templateType.toUpperCase();
  if (t !== 'SERVICE' && t !== 'ENVIRONMENT')
    throw new Error(`--template-type takes service or environment (got ${f.templateType})`);
  return { templateType: t };
}

/** A member as people name it: service/instance, or the environment's name. */
const memberName = (i: {
  serviceName?: unknown;
  serviceInstanceName?: unknown;
  environmentName?: unknown;
}) => {
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  return text(i.serviceName)
    ? `${text(i.serviceName)}/${text(i.serviceInstanceName)}`
    : text(i.environmentName);
};

interface Rollout {
  rolloutId: string;
  templateName: string;
  templateType?: string;
  targetMajorVersion: string;
  targetMinorVersion: string;
  status: string;
  phase?: string;
  statusMessage?: string;
  currentWave?: number;
  waveCount?: number;
  instances?: Array<Record<string, unknown>>;
}

interface Preview {
  previewHash: string;
  resources: Array<{
    serviceName: string;
    serviceInstanceName: string;
    environmentName: string;
    currentVersion?: string;
    targetVersion?: string;
    engine?: string;
    error?: string;
    files?: Array<{ path: string; change: string; diff?: string }>;
    inputChanges?: Array<{ name: string; before?: string; after?: string }>;
    changeSet?: {
      status: string;
      changes: Array<{
        action: string;
        logicalResourceId: string;
        resourceType: string;
        replacement?: string;
      }>;
      summary?: { adds: number; modifications: number; removals: number; replacements: number };
      statefulReplacements?: string[];
    };
    changeSetNote?: string;
  }>;
}

const ENDED = new Set(['SUCCEEDED', 'FAILED', 'ROLLED_BACK', 'ABORTED']);
const call = (client: ProtonClient, op: string, input: Record<string, unknown>) =>
  client.send(`${extensionTargetPrefix}.${op}`, input);
const list = (v: string | undefined) =>
  v
    ? v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : undefined;
const collect = (v: string, prev: string[] = []) => [...prev, v];
const int = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number (got ${v})`);
  return n;
};

function connection(cmd: Command): Command {
  return cmd
    .option('-o, --output <format>', 'text or json', 'text')
    .option('--endpoint-url <url>', 'Nucleon endpoint (AWS_ENDPOINT_URL_PROTON, AWS_ENDPOINT_URL)')
    .option('--profile <name>', 'credentials profile (AWS_PROFILE)')
    .option('--region <region>', 'signing region (AWS_REGION)');
}

/** `--to 1.2` → major and minor. */
function version(to: string): { targetMajorVersion: string; targetMinorVersion: string } {
  const m = /^(\d+)\.(\d+)$/.exec(to);
  if (!m) throw new Error(`--to takes <major>.<minor>, e.g. --to 1.2 (got ${to})`);
  return { targetMajorVersion: m[1]!, targetMinorVersion: m[2]! };
}

interface SelectorFlags {
  environment?: string[];
  service?: string[];
  instance?: string[];
  tag?: string[];
}

function selector(f: SelectorFlags) {
  const tags = (f.tag ?? []).map((t) => {
    const i = t.indexOf('=');
    if (i < 1) throw new Error(`--tag takes key=value (got ${t})`);
    return { key: t.slice(0, i), value: t.slice(i + 1) };
  });
  const s = {
    ...(f.environment?.length ? { environments: f.environment } : {}),
    ...(f.service?.length ? { services: f.service } : {}),
    ...(f.instance?.length ? { instances: f.instance } : {}),
    ...(tags.length ? { tags } : {}),
  };
  return Object.keys(s).length ? { selector: s } : {};
}

function withSelector(cmd: Command): Command {
  return cmd
    .option(
      '--template-type <type>',
      'service or environment: needed only when a service and an environment template share the name',
    )
    .option(
      '--environment <name>',
      'only instances in this environment; for an environment template, only this environment (repeatable)',
      collect,
    )
    .option('--service <name>', 'only instances of this service (repeatable)', collect)
    .option('--instance <service/instance>', 'only this instance (repeatable)', collect)
    .option(
      '--tag <key=value>',
      'only instances whose instance or service has this tag; environments with this tag (repeatable)',
      collect,
    );
}

function printRollout(r: Rollout): void {
  process.stdout.write(
    [
      `rollout ${r.rolloutId}`,
      `  template  ${r.templateType === 'ENVIRONMENT' ? 'environment template ' : ''}${r.templateName} → ${r.targetMajorVersion}.${r.targetMinorVersion}`,
      `  status    ${r.status}${r.phase && r.status === 'IN_PROGRESS' ? ` (${r.phase} wave ${r.currentWave}/${r.waveCount})` : ''}`,
      ...(r.statusMessage ? [`  message   ${r.statusMessage}`] : []),
      '',
    ].join('\n'),
  );
  if (r.instances?.length)
    printTable(
      r.instances.map((i) => ({
        ...i,
        instance: memberName(i),
        from: i.previousVersion,
        deployment: i.rollbackDeploymentId ?? i.deploymentId,
      })),
      ['wave', 'instance', 'environmentName', 'from', 'state', 'deployment', 'message'],
    );
}

function printPreview(p: Preview): void {
  for (const r of p.resources) {
    process.stdout.write(
      `\n== ${memberName(r)}  ${r.currentVersion ?? '?'} → ${r.targetVersion ?? '?'}  (${r.engine ?? 'unknown engine'})\n`,
    );
    if (r.error) {
      process.stdout.write(`   error: ${r.error}\n`);
      continue;
    }
    for (const c of r.inputChanges ?? [])
      process.stdout.write(
        `   input ${c.name}: ${c.before ?? '(none)'} → ${c.after ?? '(none)'}\n`,
      );
    for (const f of r.files ?? []) if (f.diff) process.stdout.write(f.diff);
    const plan = r.engine === 'terraform-cli' ? 'terraform plan' : 'change set';
    if (r.changeSet) {
      const s = r.changeSet.summary;
      process.stdout.write(
        `   ${plan}: ${s?.adds ?? 0} to add, ${s?.modifications ?? 0} to modify (${s?.replacements ?? 0} replaced), ${s?.removals ?? 0} to remove\n`,
      );
      for (const c of r.changeSet.changes)
        process.stdout.write(
          `     ${c.action.padEnd(7)} ${c.logicalResourceId} (${c.resourceType})${c.replacement === 'True' ? ' REPLACED' : c.replacement === 'Conditional' ? ' maybe replaced' : ''}\n`,
        );
      for (const w of r.changeSet.statefulReplacements ?? [])
        process.stdout.write(`   WARNING ${w}\n`);
    }
    if (r.changeSetNote) process.stdout.write(`   ${plan}: ${r.changeSetNote}\n`);
  }
  process.stdout.write(
    `\n${p.resources.length} resource(s). preview hash: ${p.previewHash}\n(start the rollout with --preview-hash ${p.previewHash} to refuse it if anything changed since this preview)\n`,
  );
}

function addPreview(cmd: Command, setExit: (code: number) => void): void {
  withSelector(connection(cmd))
    .description(
      'preview what moving the instances of a service template (or the environments of an environment template) to a version changes: files before/after with diffs, input changes, CloudFormation change sets or terraform plans (Terraform on the runner), and the preview hash',
    )
    .requiredOption('--to <major.minor>', 'the target version, e.g. 1.2')
    .option('--no-change-sets', 'do not ask CloudFormation for change sets or Terraform for plans')
    .action(
      async (
        template: string,
        flags: Flags & SelectorFlags & { to: string; changeSets: boolean; templateType?: string },
      ) => {
        const { client } = resolveConnection(flags);
        const p = (await call(client, 'PreviewRollout', {
          templateName: template,
          ...templateType(flags),
          ...version(flags.to),
          ...selector(flags),
          changeSets: flags.changeSets,
        })) as Preview;
        if (flags.output === 'json') process.stdout.write(JSON.stringify(p, null, 2) + '\n');
        else printPreview(p);
        setExit(0);
      },
    );
}

export function registerRolloutCommands(program: Command, setExit: (code: number) => void): void {
  const rollout = program
    .command('rollout')
    .alias('rollouts')
    .description(
      'fleet rollouts: move service instances (or environments) to a template version in waves, with automatic rollback',
    );
  addPreview(rollout.command('preview <template>'), setExit);
  addPreview(program.command('preview <template>'), setExit);

  withSelector(connection(rollout.command('start <template>')))
    .description(
      'start a rollout of a service template version across its instances, or of an environment template version across its environments',
    )
    .requiredOption('--to <major.minor>', 'the target version, e.g. 1.2')
    .option('--waves <n>', 'split into n waves of equal size (default 1)', int('--waves'))
    .option('--percentages <list>', 'cumulative wave sizes in percent, e.g. 10,50,100')
    .option(
      '--environment-order <list>',
      'one wave per environment in this order, e.g. dev,staging,prod (for an environment template: its environments in this order)',
    )
    .option(
      '--wave <list>',
      'an explicit wave of service/instance names (environment names for an environment template), comma-separated (repeatable)',
      collect,
    )
    .option(
      '--max-in-flight <n>',
      'deployments running at once (default 10)',
      int('--max-in-flight'),
    )
    .option(
      '--bake <seconds>',
      'wait this long after each wave before the next (default 0)',
      int('--bake'),
    )
    .option(
      '--failure-threshold <n>',
      'failed instances a wave tolerates (default 0)',
      int('--failure-threshold'),
    )
    .option(
      '--auto-rollback',
      'when a wave fails, deploy the touched instances back to their previous version and inputs',
    )
    .option(
      '--rollback-scope <scope>',
      'WAVE (the failed wave) or ROLLOUT (everything it touched, default)',
    )
    .option(
      '--health-check-output <name>',
      'an output holding an HTTP URL that must answer 2xx during the bake',
    )
    .option(
      '--preview-hash <hash>',
      'refuse to start unless the preview with this hash still holds',
    )
    .option('--description <text>', 'a note shown with the rollout')
    .option('--wait', 'wait until the rollout ends; exit 1 unless it SUCCEEDED')
    .action(
      async (
        template: string,
        f: Flags &
          SelectorFlags & {
            to: string;
            waves?: number;
            percentages?: string;
            environmentOrder?: string;
            wave?: string[];
            maxInFlight?: number;
            bake?: number;
            failureThreshold?: number;
            autoRollback?: boolean;
            rollbackScope?: string;
            healthCheckOutput?: string;
            previewHash?: string;
            description?: string;
            wait?: boolean;
            templateType?: string;
          },
      ) => {
        const { client } = resolveConnection(f);
        const percentages = list(f.percentages)?.map(Number);
        let { rollout: r } = (await call(client, 'StartRollout', {
          templateName: template,
          ...templateType(f),
          ...version(f.to),
          ...selector(f),
          ...(f.waves !== undefined ? { waves: f.waves } : {}),
          ...(percentages ? { wavePercentages: percentages } : {}),
          ...(f.environmentOrder ? { environmentOrder: list(f.environmentOrder) } : {}),
          ...(f.wave?.length ? { explicitWaves: f.wave.map((w) => list(w) ?? []) } : {}),
          ...(f.maxInFlight !== undefined ? { maxInFlight: f.maxInFlight } : {}),
          ...(f.bake !== undefined ? { bakeSeconds: f.bake } : {}),
          ...(f.failureThreshold !== undefined ? { failureThreshold: f.failureThreshold } : {}),
          ...(f.autoRollback ? { autoRollback: true } : {}),
          ...(f.rollbackScope ? { rollbackScope: f.rollbackScope.toUpperCase() } : {}),
          ...(f.healthCheckOutput ? { healthCheckOutput: f.healthCheckOutput } : {}),
          ...(f.previewHash ? { previewHash: f.previewHash } : {}),
          ...(f.description ? { description: f.description } : {}),
        })) as { rollout: Rollout };
        if (f.wait) {
          while (!ENDED.has(r.status)) {
            await new Promise((res) => setTimeout(res, 1000));
            r = (
              (await call(client, 'GetRollout', { rolloutId: r.rolloutId })) as { rollout: Rollout }
            ).rollout;
          }
        }
        if (f.output === 'json') process.stdout.write(JSON.stringify(r, null, 2) + '\n');
        else printRollout(r);
        setExit(f.wait && r.status !== 'SUCCEEDED' ? 1 : 0);
      },
    );

  connection(rollout.command('show <rolloutId>').alias('get'))
    .description('show a rollout: status, current wave and every instance’s state')
    .action(async (id: string, f: Flags) => {
      const { client } = resolveConnection(f);
      const { rollout: r } = (await call(client, 'GetRollout', { rolloutId: id })) as {
        rollout: Rollout;
      };
      if (f.output === 'json') process.stdout.write(JSON.stringify(r, null, 2) + '\n');
      else printRollout(r);
      setExit(0);
    });

  connection(rollout.command('list'))
    .description('list rollouts, newest first')
    .option('--template <name>', 'only rollouts of this template')
    .option('--status <status>', 'only rollouts in this status')
    .action(async (f: Flags & { template?: string; status?: string }) => {
      const { client } = resolveConnection(f);
      const { rollouts } = (await call(client, 'ListRollouts', {
        ...(f.template ? { templateName: f.template } : {}),
        ...(f.status ? { status: f.status.toUpperCase() } : {}),
      })) as { rollouts: Rollout[] };
      if (f.output === 'json') process.stdout.write(JSON.stringify(rollouts, null, 2) + '\n');
      else
        printTable(
          rollouts.map((r) => ({
            ...r,
            target: `${r.templateName} ${r.targetMajorVersion}.${r.targetMinorVersion}`,
            wave: `${r.currentWave ?? 0}/${r.waveCount ?? 0}`,
          })),
          ['rolloutId', 'target', 'status', 'phase', 'wave', 'statusMessage'],
        );
      setExit(0);
    });

  for (const [verb, op, what] of [
    [
      'pause',
      'PauseRollout',
      'pause a running rollout: no new deployment starts; running ones finish',
    ],
    ['resume', 'ResumeRollout', 'resume a paused rollout'],
    [
      'abort',
      'AbortRollout',
      'abort a rollout: pending instances are skipped; running deployments finish',
    ],
  ] as const)
    connection(rollout.command(`${verb} <rolloutId>`))
      .description(what)
      .action(async (id: string, f: Flags) => {
        const { client } = resolveConnection(f);
        const { rollout: r } = (await call(client, op, { rolloutId: id })) as { rollout: Rollout };
        if (f.output === 'json') process.stdout.write(JSON.stringify(r, null, 2) + '\n');
        else printRollout(r);
        setExit(0);
      });
}
