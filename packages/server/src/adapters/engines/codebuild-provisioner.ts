import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { CommandRunner } from '../../ports/command-runner.js';
import type {
  DriftCommandRequest,
  DriftCommandResult,
  DriftCommandRunner,
} from '../../ports/drift-command-runner.js';
import type { ProvisionRequest, Provisioner } from '../../ports/provisioner.js';
import type { EngineResult } from '../../ports/stack-engine.js';
import { readProtonOutputsFile } from '../runners/proton-outputs-file.js';

export interface ScopedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}

export interface CodeBuildProvisionerOptions {
  /** The runner for a deployment's environment (the installation's default, or its override). */
  runnerFor(environmentName: string | undefined): Promise<CommandRunner>;
  /** Where private per-deployment workspaces are made. */
  workspaceRoot: string;
  region: string;
  /** This Nucleon's endpoint as the commands reach it (AWS_ENDPOINT_URL_PROTON). */
  endpoint(): string;
  /** Short-lived credentials allowed only to report on one resource, tied to the deployment. */
  mintCredentials(
    resourceArn: string,
    ttlMs: number,
    roleArn: string | undefined,
    sessionName: string,
    /** The deployment they are tied to; none for a drift check (they expire with their TTL). */
    deploymentId: string | null,
  ): Promise<ScopedCredentials>;
  /** Revokes them when the run ends, so they never outlive the deployment. */
  revokeCredentials(accessKeyId: string): Promise<void>;
  /** PATH, HOME and LANG for the commands. */
  baseEnv: Readonly<Record<string, string>>;
}

/**
 * CodeBuild provisioning: a private workspace holding the infrastructure folder and
 * proton-inputs.json; `provision`/`deprovision` run with bash on the environment's runner (here,
 * on AWS CodeBuild or as a Kubernetes Job; ADR 0026); inputs reach the commands only as files and
 * environment values. Remote runners' commands act as their build role or service account. Outputs come from
 * NotifyResourceDeploymentStatusChange or proton-outputs.json (the file wins on a clash, being
 * the later word); the exit status decides the result.
 */
export class CodeBuildProvisioner implements Provisioner, DriftCommandRunner {
  constructor(private readonly o: CodeBuildProvisionerOptions) {}

  run(request: ProvisionRequest): Promise<EngineResult> {
    const commands =
      request.operation === 'DELETE'
        ? (request.commands?.deprovision ?? [])
        : (request.commands?.provision ?? []);
    return this.inWorkspace(
      {
        id: request.deploymentId,
        deploymentId: request.deploymentId,
        resourceArn: request.resourceArn,
        roleArn: request.roleArn,
        environmentName: request.environmentName,
        files: request.files,
        env: { ...(request.commands?.env ?? {}), PROTON_DEPLOYMENT_ID: request.deploymentId },
        timeoutMs: request.timeoutMs,
        log: (message) => request.log('engine', message),
      },
      async (workdir, runner, env) => {
        const stderr = new StderrTail();
        const result = await runner.run({
          workdir,
          commands,
          env,
          timeoutMs: request.timeoutMs,
          signal: request.signal,
          onOutput: (line) => {
            // A build service merges both streams into one log: its last lines stand in for stderr.
            if (line.stream === 'stderr' || runner.remote) stderr.push(line.text);
            request.log(line.stream, line.text);
          },
          onNotice: (message) => request.log('engine', message),
          deployment: {
            deploymentId: request.deploymentId,
            resourceArn: request.resourceArn,
            serviceRoleArn: request.roleArn,
            image: request.commands?.image,
            runtimes: request.commands?.runtimes,
          },
        });
        if (result.outcome !== 'SUCCEEDED') {
          const message =
            result.outcome === 'CANCELLED'
              ? result.message
              : withStderrTail(result.message, stderr.lines(), runner.remote ? 'output' : 'stderr');
          return { outcome: result.outcome, message, outputs: {}, provisionedResources: [] };
        }
        const fromFile = await readProtonOutputsFile(workdir);
        const outputs = { ...(await request.reportedOutputs()), ...fromFile };
        return { outcome: 'SUCCEEDED', message: result.message, outputs, provisionedResources: [] };
      },
    );
  }

  /**
   * A template's `drift` commands, in the same kind of workspace, with the same inputs file,
   * environment and runner as `provision` (ADR 0023). Exit 0 is in sync; a non-zero exit is
   * drift, the commands' last output saying what drifted.
   */
  checkDrift(request: DriftCommandRequest): Promise<DriftCommandResult> {
    return this.inWorkspace(
      {
        id: request.checkId,
        deploymentId: null,
        resourceArn: request.resourceArn,
        roleArn: request.roleArn,
        environmentName: request.environmentName,
        files: request.files,
        env: { ...request.commands.env, NUCLEON_DRIFT_CHECK_ID: request.checkId },
        timeoutMs: request.timeoutMs,
      },
      async (workdir, runner, env) => {
        const output = new StderrTail(DRIFT_OUTPUT_LINES);
        const result = await runner.run({
          workdir,
          commands: request.commands.drift,
          env,
          timeoutMs: request.timeoutMs,
          onOutput: (line) => output.push(line.text),
          deployment: {
            deploymentId: request.checkId,
            resourceArn: request.resourceArn,
            serviceRoleArn: request.roleArn,
            image: request.commands.image,
            runtimes: request.commands.runtimes,
          },
        });
        const status =
          result.outcome === 'SUCCEEDED'
            ? 'IN_SYNC'
            : result.outcome === 'FAILED'
              ? 'DRIFTED'
              : 'NOT_CHECKED';
        return {
          status,
          exitCode: result.exitCode,
          message: result.message,
          output: output.lines().join('\n'),
        };
      },
    );
  }

  /**
   * A private workspace holding `files`, the runner for the environment and the commands'
   * environment (with short-lived credentials for a local runner); removed, and the credentials
   * revoked, when `body` ends.
   */
  private async inWorkspace<T>(
    s: {
      id: string;
      /** The deployment the credentials are tied to (none for a drift check). */
      deploymentId: string | null;
      resourceArn: string;
      roleArn: string | undefined;
      environmentName: string | undefined;
      files: ReadonlyMap<string, Uint8Array | string>;
      env: Readonly<Record<string, string>>;
      timeoutMs: number;
      log?: (message: string) => void;
    },
    body: (workdir: string, runner: CommandRunner, env: Record<string, string>) => Promise<T>,
  ): Promise<T> {
    const workdir = join(this.o.workspaceRoot, s.id);
    await rm(workdir, { recursive: true, force: true });
    await mkdir(workdir, { recursive: true, mode: 0o700 });
    let minted: string | undefined;
    try {
      for (const [path, content] of s.files) {
        const target = resolve(workdir, path);
        if (!target.startsWith(workdir + sep))
          throw new Error(`refusing to write ${path} outside the workspace`);
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, content);
      }
      const runner = await this.o.runnerFor(s.environmentName);
      const env: Record<string, string> = {
        ...(runner.remote ? {} : this.o.baseEnv),
        ...s.env,
        RESOURCE_ARN: s.resourceArn,
        AWS_REGION: this.o.region,
        AWS_DEFAULT_REGION: this.o.region,
      };
      if (!runner.remote) {
        const credentials = await this.o.mintCredentials(
          s.resourceArn,
          s.timeoutMs + 5 * 60_000,
          s.roleArn,
          `nucleon-${s.id}`,
          s.deploymentId,
        );
        if (s.roleArn) s.log?.(`assumed ${s.roleArn} for the commands`);
        minted = credentials.accessKeyId;
        Object.assign(env, {
          AWS_ENDPOINT_URL_PROTON: this.o.endpoint(),
          AWS_ACCESS_KEY_ID: credentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
          AWS_SESSION_TOKEN: credentials.sessionToken,
        });
      }
      if (runner.sandboxNotice) s.log?.(runner.sandboxNotice);
      return await body(workdir, runner, env);
    } finally {
      if (minted) await this.o.revokeCredentials(minted).catch(() => undefined);
      await rm(workdir, { recursive: true, force: true }).catch(() => undefined);
    }
  }
}

const TAIL_LINES = 10;
const TAIL_CHARS = 2000;
/** What a drift report keeps of the drift commands' output. */
const DRIFT_OUTPUT_LINES = 40;

/** The last lines a run wrote to stderr (or to any stream), kept as they arrive. */
class StderrTail {
  private readonly kept: string[] = [];

  constructor(private readonly max = TAIL_LINES) {}

  push(text: string): void {
    if (text.trim() === '') return;
    this.kept.push(text.length > TAIL_CHARS ? `${text.slice(0, TAIL_CHARS)}…` : text);
    if (this.kept.length > this.max) this.kept.shift();
  }

  lines(): readonly string[] {
    return this.kept;
  }
}

/** `command[1] of 2 ("…") failed with exit status 1; its last stderr lines: a | b`, within TAIL_CHARS. */
export function withStderrTail(
  message: string,
  lines: readonly string[],
  stream: 'stderr' | 'output' = 'stderr',
): string {
  if (lines.length === 0)
    return `${message}; it wrote nothing to ${stream} (its output is in the deployment log)`;
  let tail = lines.map((l) => l.trim()).join(' | ');
  if (tail.length > TAIL_CHARS) tail = `…${tail.slice(tail.length - TAIL_CHARS)}`;
  return `${message}; last ${stream}: ${tail}`;
}
