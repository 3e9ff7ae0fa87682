import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { CommandRunner } from '../../ports/command-runner.js';
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
    deploymentId: string,
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
export class CodeBuildProvisioner implements Provisioner {
  constructor(private readonly o: CodeBuildProvisionerOptions) {}

  async run(request: ProvisionRequest): Promise<EngineResult> {
    const workdir = join(this.o.workspaceRoot, request.deploymentId);
    await rm(workdir, { recursive: true, force: true });
    await mkdir(workdir, { recursive: true, mode: 0o700 });
    let minted: string | undefined;
    try {
      for (const [path, content] of request.files) {
        const target = resolve(workdir, path);
        if (!target.startsWith(workdir + sep))
          throw new Error(`refusing to write ${path} outside the workspace`);
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, content);
      }
      const runner = await this.o.runnerFor(request.environmentName);
      const commands =
        request.operation === 'DELETE'
          ? (request.commands?.deprovision ?? [])
          : (request.commands?.provision ?? []);
      const env: Record<string, string> = {
        ...(runner.remote ? {} : this.o.baseEnv),
        ...(request.commands?.env ?? {}),
        RESOURCE_ARN: request.resourceArn,
        PROTON_DEPLOYMENT_ID: request.deploymentId,
        AWS_REGION: this.o.region,
        AWS_DEFAULT_REGION: this.o.region,
      };
      if (!runner.remote) {
        const credentials = await this.o.mintCredentials(
          request.resourceArn,
          request.timeoutMs + 5 * 60_000,
          request.roleArn,
          `nucleon-${request.deploymentId}`,
          request.deploymentId,
        );
        if (request.roleArn) request.log('engine', `assumed ${request.roleArn} for the commands`);
        minted = credentials.accessKeyId;
        Object.assign(env, {
          AWS_ENDPOINT_URL_PROTON: this.o.endpoint(),
          AWS_ACCESS_KEY_ID: credentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
          AWS_SESSION_TOKEN: credentials.sessionToken,
        });
      }
      const stderr = new StderrTail();
      if (runner.sandboxNotice) request.log('engine', runner.sandboxNotice);
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
    } finally {
      if (minted) await this.o.revokeCredentials(minted).catch(() => undefined);
      await rm(workdir, { recursive: true, force: true }).catch(() => undefined);
    }
  }
}

const TAIL_LINES = 10;
const TAIL_CHARS = 2000;

/** The last lines a run wrote to stderr, kept as they arrive. */
class StderrTail {
  private readonly kept: string[] = [];

  push(text: string): void {
    if (text.trim() === '') return;
    this.kept.push(text.length > TAIL_CHARS ? `${text.slice(0, TAIL_CHARS)}…` : text);
    if (this.kept.length > TAIL_LINES) this.kept.shift();
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
