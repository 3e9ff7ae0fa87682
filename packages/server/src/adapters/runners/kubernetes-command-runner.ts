import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { BatchV1Api, CoreV1Api, Log, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import type {
  CommandRunRequest,
  CommandRunResult,
  CommandRunner,
} from '../../ports/command-runner.js';
import { LineSplitter } from './line-splitter.js';
import { pause } from './pause.js';
import { PROTON_OUTPUTS_FILE } from './proton-outputs-file.js';
import {
  CONTAINER,
  DEPLOYMENT_LABEL,
  INSTALLATION_LABEL,
  MANAGED_BY,
  jobFor,
  secretFor,
} from './kubernetes-job-spec.js';

export interface KubernetesRunnerOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  /** Image when the manifest names none; it needs bash, tar, gzip and base64. */
  image: string;
  serviceAccount?: string | undefined;
  pollMs: number;
  installationId: string;
}

/** A Secret holds at most 1 MiB. */
const MAX_SECRET_BYTES = 900 * 1024;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Waiting reasons that never resolve on their own: the run fails at once, naming it. */
const STUCK = [
  'ErrImagePull',
  'ImagePullBackOff',
  'InvalidImageName',
  'CreateContainerConfigError',
];

type Ending = Omit<CommandRunResult, 'durationMs'>;

/**
 * Runs a deployment's commands as one Kubernetes Job (ADR 0026): the workspace, the commands
 * and the environment values in a Secret, one pod that unpacks and runs them, its log streamed
 * into the deployment log, the Job deleted on cancel or timeout. Names come from the deployment
 * and carry Nucleon's labels; nothing without them is deleted. At-most-once: backoffLimit 0.
 */
export class KubernetesCommandRunner implements CommandRunner {
  readonly kind = 'kubernetes';
  readonly remote = true;
  private readonly batch: BatchV1Api;
  private readonly core: CoreV1Api;

  constructor(private readonly o: KubernetesRunnerOptions) {
    this.batch = o.kubeConfig.makeApiClient(BatchV1Api);
    this.core = o.kubeConfig.makeApiClient(CoreV1Api);
  }

  get sandboxNotice(): string {
    return `commands run as a Kubernetes Job in the namespace ${this.o.namespace}`;
  }

  async run(request: CommandRunRequest): Promise<CommandRunResult> {
    const started = Date.now();
    const done = (r: Ending): CommandRunResult => ({ ...r, durationMs: Date.now() - started });
    const none = { exitCode: null, signal: null };
    if (request.signal?.aborted)
      return done({ ...none, outcome: 'CANCELLED', message: 'cancelled before the Job started' });
    if (request.commands.length === 0)
      return done({
        outcome: 'SUCCEEDED',
        exitCode: 0,
        signal: null,
        message: 'no commands to run',
      });
    const who = request.deployment;
    if (!who) throw new Error('the Kubernetes runner needs the deployment a run belongs to');
    const bad = Object.keys(request.env).find((n) => !ENV_NAME.test(n));
    if (bad !== undefined)
      return done({
        ...none,
        outcome: 'FAILED',
        message: `environment name ${JSON.stringify(bad)} is not valid in a pod`,
      });
    const tgz = (
      await promisify(execFile)('tar', ['-czf', '-', '-C', request.workdir, '.'], {
        encoding: 'buffer',
        maxBuffer: 64 * 1024 * 1024,
      })
    ).stdout;
    if (tgz.length > MAX_SECRET_BYTES)
      return done({
        ...none,
        outcome: 'FAILED',
        message: `the workspace is ${tgz.length} bytes packed; a Kubernetes Secret holds under 1 MiB`,
      });
    const name = `nucleon-${who.deploymentId.toLowerCase().replace(/[^a-z0-9-]/g, '-')}`.slice(
      0,
      63,
    );
    const labels = {
      [MANAGED_BY]: 'nucleon',
      [INSTALLATION_LABEL]: this.o.installationId,
      [DEPLOYMENT_LABEL]: who.deploymentId,
    };
    const marker = `#nucleon-${randomBytes(12).toString('hex')}`;
    const input = {
      name,
      namespace: this.o.namespace,
      labels,
      resourceArn: who.resourceArn,
      image: who.image ?? this.o.image,
      serviceAccount: this.o.serviceAccount,
      timeoutMs: request.timeoutMs,
      env: request.env,
      marker,
      workspaceTgz: tgz,
      commands: request.commands,
    };
    const namespace = this.o.namespace;
    await this.core.createNamespacedSecret({ namespace, body: secretFor(input) });
    try {
      await this.batch.createNamespacedJob({ namespace, body: jobFor(input) });
      request.onNotice?.(`created the Kubernetes Job ${namespace}/${name} (image ${input.image})`);
      return done(await this.follow(request, name, marker));
    } finally {
      await this.deleteOwned(name, who.deploymentId);
    }
  }

  private async follow(request: CommandRunRequest, job: string, marker: string): Promise<Ending> {
    const none = { exitCode: null, signal: null };
    const deadline = Date.now() + request.timeoutMs;
    const state = {
      index: undefined as number | undefined,
      outputs: undefined as string | undefined,
      done: false,
    };
    const stop = (): Ending | undefined => {
      if (request.signal?.aborted)
        return {
          ...none,
          ...at(state.index),
          outcome: 'CANCELLED',
          message: `cancelled; the Job ${job} was deleted`,
        };
      if (Date.now() >= deadline)
        return {
          ...none,
          ...at(state.index),
          outcome: 'TIMED_OUT',
          message: `timed out after ${request.timeoutMs} ms; the Job ${job} was deleted`,
        };
      return undefined;
    };
    // 1. The pod: wait until its container runs (or fails to start).
    let pod: V1Pod | undefined;
    for (;;) {
      const early = stop();
      if (early) return early;
      const pods = await this.core.listNamespacedPod({
        namespace: this.o.namespace,
        labelSelector: `job-name=${job}`,
      });
      pod = pods.items[0];
      const status = pod?.status?.containerStatuses?.find((c) => c.name === CONTAINER);
      const waiting = status?.state?.waiting?.reason;
      if (waiting && STUCK.includes(waiting))
        return {
          ...none,
          outcome: 'FAILED',
          message: `the Job's pod cannot start: ${waiting}${status?.state?.waiting?.message ? ` (${status.state.waiting.message})` : ''}`,
        };
      if (status?.state?.running || status?.state?.terminated) break;
      await pause(this.o.pollMs, request.signal);
    }
    const podName = pod!.metadata!.name!;
    // 2. Its log, followed; reopened from the last line seen if the API server closes it early.
    let last: string | undefined;
    const onLine = (line: string) => {
      const space = line.indexOf(' ');
      const ts = space > 0 ? line.slice(0, space) : '';
      if (last !== undefined && ts <= last) return;
      last = ts;
      this.line(line.slice(space + 1), marker, state, request);
    };
    for (;;) {
      const early = stop();
      if (early) return early;
      // A log request refused (the container not ready yet) is asked again at the next poll.
      await this.followLog(podName, last, onLine, request.signal, deadline).catch(() => undefined);
      const current = await this.core.readNamespacedPod({
        name: podName,
        namespace: this.o.namespace,
      });
      const terminated = current.status?.containerStatuses?.find((c) => c.name === CONTAINER)?.state
        ?.terminated;
      if (!terminated) {
        await pause(this.o.pollMs, request.signal);
        continue;
      }
      const exitCode = terminated.exitCode ?? null;
      if (exitCode === 0) {
        await this.writeOutputs(request.workdir, state.outputs);
        return {
          outcome: 'SUCCEEDED',
          exitCode,
          signal: null,
          message: `all ${request.commands.length} commands succeeded in the Job ${job}`,
        };
      }
      const which =
        state.index === undefined
          ? 'the pod'
          : `command[${state.index}] of ${request.commands.length} (${preview(request.commands[state.index])})`;
      return {
        exitCode,
        signal: terminated.signal ? String(terminated.signal) : null,
        ...at(state.index),
        outcome: 'FAILED',
        message: `${which} failed with exit status ${exitCode} in the Job ${job}${terminated.reason ? ` (${terminated.reason})` : ''}`,
      };
    }
  }

  /** Streams the container's log until it ends, the run is cancelled or the deadline passes. */
  private async followLog(
    pod: string,
    since: string | undefined,
    onLine: (line: string) => void,
    signal: AbortSignal | undefined,
    deadline: number,
  ): Promise<void> {
    const splitter = new LineSplitter(64 * 1024, onLine);
    let finish = () => {};
    const ended = new Promise<void>((resolve) => (finish = resolve));
    const sink = new Writable({
      write(chunk: Buffer, _enc, callback) {
        splitter.push(chunk);
        callback();
      },
      final(callback) {
        splitter.end();
        finish();
        callback();
      },
    });
    sink.on('error', () => finish());
    const controller = await new Log(this.o.kubeConfig).log(
      this.o.namespace,
      pod,
      CONTAINER,
      sink,
      {
        follow: true,
        timestamps: true,
        ...(since ? { sinceTime: since } : {}),
      },
    );
    const abort = () => finish();
    signal?.addEventListener('abort', abort, { once: true });
    const timer = setTimeout(abort, Math.max(0, deadline - Date.now()));
    try {
      await ended;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', abort);
      controller.abort();
    }
  }

  /** Marker lines carry progress and outputs; everything else is the commands' output. */
  private line(
    text: string,
    marker: string,
    state: { index: number | undefined; outputs: string | undefined },
    request: CommandRunRequest,
  ): void {
    const at = text.indexOf(marker);
    if (at === -1) return request.onOutput({ stream: 'stdout', text, at: new Date() });
    if (at > 0) request.onOutput({ stream: 'stdout', text: text.slice(0, at), at: new Date() });
    const [word, value] = text.slice(at + marker.length + 1).split(' ');
    if (word === 'started') state.index = Number(value);
    else if (word === 'outputs') state.outputs = value ?? '';
  }

  private async writeOutputs(workdir: string, base64: string | undefined): Promise<void> {
    const target = join(workdir, PROTON_OUTPUTS_FILE);
    await rm(target, { force: true });
    if (base64 !== undefined)
      await writeFile(target, Buffer.from(base64, 'base64'), { mode: 0o600 });
  }

  /** Deletes the Job (and its pod) and the Secret, each only when its labels say it is this run's. */
  private async deleteOwned(name: string, deploymentId: string): Promise<void> {
    const namespace = this.o.namespace;
    const ours = (labels: Record<string, string> | undefined) =>
      labels?.[INSTALLATION_LABEL] === this.o.installationId &&
      labels?.[DEPLOYMENT_LABEL] === deploymentId;
    const job = await this.batch.readNamespacedJob({ name, namespace }).catch(() => undefined);
    if (ours(job?.metadata?.labels))
      await this.batch
        .deleteNamespacedJob({ name, namespace, propagationPolicy: 'Background' })
        .catch(() => undefined);
    const secret = await this.core.readNamespacedSecret({ name, namespace }).catch(() => undefined);
    if (ours(secret?.metadata?.labels))
      await this.core.deleteNamespacedSecret({ name, namespace }).catch(() => undefined);
  }
}

function at(index: number | undefined): { failedCommandIndex?: number } {
  return index === undefined ? {} : { failedCommandIndex: index };
}

function preview(command: string | undefined): string {
  const firstLine = (command ?? '').trim().split('\n', 1)[0] ?? '';
  return JSON.stringify(firstLine.length > 80 ? `${firstLine.slice(0, 80)}…` : firstLine);
}
