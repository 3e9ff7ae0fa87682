import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  BatchGetBuildsCommand,
  BatchGetProjectsCommand,
  CreateProjectCommand,
  StartBuildCommand,
  StopBuildCommand,
  type Build,
  type CodeBuildClient,
  type ComputeType,
} from '@aws-sdk/client-codebuild';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type {
  CommandRunRequest,
  CommandRunResult,
  CommandRunner,
  RunIdentity,
} from '../../ports/command-runner.js';
import { PROTON_OUTPUTS_FILE } from './proton-outputs-file.js';
import { buildspecFor, OUTPUTS_FOLDER, timeoutMinutes } from './codebuild-buildspec.js';
import { CloudWatchLogTail } from './cloudwatch-log-tail.js';
import { pause } from './pause.js';
import { zipFolder } from './zip-folder.js';

export interface CodeBuildRunnerOptions {
  codebuild: CodeBuildClient;
  s3: S3Client;
  logs: CloudWatchLogsClient;
  /** Holds each run's source archive and artifacts (NUCLEON_CODEBUILD_BUCKET). */
  bucket: string;
  /** Key prefix of the runs in the bucket; each run lives under `<prefix>/<deploymentId>/`. */
  keyPrefix: string;
  /** The CodeBuild project the builds start in; made on first use when missing. */
  project: string;
  /** Service role when the environment has no codebuildRoleArn (and for making the project). */
  defaultServiceRoleArn?: string | undefined;
  /** Build image when the manifest names none. */
  image: string;
  computeType: string;
  /** CloudWatch Logs group of the builds; each build's stream is `<deploymentId>/<build uuid>`. */
  logGroup: string;
  pollMs: number;
  /** Tags what this installation creates, and is checked before deleting it. */
  installationId: string;
}

const OWNER_TAG = 'nucleon:installation';
const DEPLOYMENT_TAG = 'nucleon:deployment-id';
const MAX_OUTPUTS_BYTES = 1024 * 1024;
/** After StopBuild, how long to wait for CodeBuild to report the build stopped. */
const STOP_WAIT_MS = 120_000;

/**
 * Runs a deployment's commands as one AWS CodeBuild build (ADR 0026), as Proton did: the
 * workspace uploaded as an S3 source, a buildspec made from the manifest, the environment's
 * codebuildRoleArn as the service role, the build's CloudWatch Logs streamed into the deployment
 * log, StopBuild on cancel or timeout, and `proton-outputs.json` brought back from the build's
 * S3 artifacts into the workspace. At-most-once like the local runner: nothing is retried here.
 */
export class CodeBuildCommandRunner implements CommandRunner {
  readonly kind = 'codebuild';
  readonly remote = true;
  private project: Promise<void> | undefined;

  constructor(private readonly o: CodeBuildRunnerOptions) {}

  get sandboxNotice(): string {
    return `commands run as an AWS CodeBuild build in the project ${this.o.project}`;
  }

  async run(request: CommandRunRequest): Promise<CommandRunResult> {
    const started = Date.now();
    const none = { exitCode: null, signal: null };
    const done = (r: Omit<CommandRunResult, 'durationMs'>): CommandRunResult => ({
      ...r,
      durationMs: Date.now() - started,
    });
    if (request.signal?.aborted)
      return done({ ...none, outcome: 'CANCELLED', message: 'cancelled before the build started' });
    if (request.commands.length === 0)
      return done({
        outcome: 'SUCCEEDED',
        exitCode: 0,
        signal: null,
        message: 'no commands to run',
      });
    const who = request.deployment;
    if (!who) throw new Error('the CodeBuild runner needs the deployment a run belongs to');
    const serviceRole = who.serviceRoleArn ?? this.o.defaultServiceRoleArn;
    if (!serviceRole)
      return done({
        ...none,
        outcome: 'FAILED',
        message:
          'no service role for the CodeBuild build: give the environment a codebuildRoleArn, or set NUCLEON_CODEBUILD_ROLE_ARN',
      });
    await this.ensureProject();
    const base = `${this.o.keyPrefix}/${who.deploymentId}`;
    const sourceKey = `${base}/source.zip`;
    await this.o.s3.send(
      new PutObjectCommand({
        Bucket: this.o.bucket,
        Key: sourceKey,
        Body: await zipFolder(request.workdir),
        ContentType: 'application/zip',
        Tagging: this.tagging(who),
      }),
    );
    try {
      const build = await this.start(request, who, serviceRole, sourceKey, base);
      return done(await this.follow(request, who, build));
    } finally {
      await this.deleteOwned(sourceKey, who);
    }
  }

  private async start(
    request: CommandRunRequest,
    who: RunIdentity,
    serviceRole: string,
    sourceKey: string,
    base: string,
  ): Promise<Build> {
    const out = await this.o.codebuild.send(
      new StartBuildCommand({
        projectName: this.o.project,
        sourceTypeOverride: 'S3',
        sourceLocationOverride: `${this.o.bucket}/${sourceKey}`,
        buildspecOverride: buildspecFor(request.commands, who.runtimes),
        serviceRoleOverride: serviceRole,
        imageOverride: who.image ?? this.o.image,
        computeTypeOverride: this.o.computeType as ComputeType,
        environmentTypeOverride: 'LINUX_CONTAINER',
        environmentVariablesOverride: Object.entries(request.env).map(([name, value]) => ({
          name,
          value,
          type: 'PLAINTEXT',
        })),
        artifactsOverride: {
          type: 'S3',
          location: this.o.bucket,
          path: base,
          name: OUTPUTS_FOLDER,
          packaging: 'NONE',
          namespaceType: 'NONE',
        },
        timeoutInMinutesOverride: timeoutMinutes(request.timeoutMs),
        logsConfigOverride: {
          cloudWatchLogs: {
            status: 'ENABLED',
            groupName: this.o.logGroup,
            streamName: who.deploymentId,
          },
        },
      }),
    );
    if (!out.build?.id) throw new Error('CodeBuild StartBuild returned no build id');
    request.onNotice?.(
      `started CodeBuild build ${out.build.id} (source s3://${this.o.bucket}/${sourceKey}, service role ${serviceRole})`,
    );
    return out.build;
  }

  /** Polls the build to its end, streaming its log; stops it on cancel or timeout. */
  private async follow(
    request: CommandRunRequest,
    who: RunIdentity,
    first: Build,
  ): Promise<Omit<CommandRunResult, 'durationMs'>> {
    const id = first.id!;
    const deadline = Date.now() + request.timeoutMs;
    const tail = new CloudWatchLogTail(this.o.logs, (line) => request.onOutput(line));
    let stopped: { why: 'CANCELLED' | 'TIMED_OUT'; at: number } | undefined;
    let build = first;
    for (;;) {
      if (!stopped && (request.signal?.aborted || Date.now() >= deadline)) {
        stopped = { why: request.signal?.aborted ? 'CANCELLED' : 'TIMED_OUT', at: Date.now() };
        await this.o.codebuild.send(new StopBuildCommand({ id }));
        request.onNotice?.(
          `stopped CodeBuild build ${id} (${stopped.why === 'CANCELLED' ? 'cancelled' : 'timed out'})`,
        );
      }
      const got = await this.o.codebuild.send(new BatchGetBuildsCommand({ ids: [id] }));
      build = got.builds?.[0] ?? build;
      await tail.drain(this.logLocation(build, who));
      if (build.buildComplete || isFinal(build.buildStatus)) break;
      if (stopped && Date.now() - stopped.at > STOP_WAIT_MS) break;
      await pause(this.o.pollMs, stopped ? undefined : request.signal);
    }
    await tail.drain(this.logLocation(build, who));
    const none = { exitCode: null, signal: null };
    const name = `CodeBuild build ${id}`;
    switch (build.buildStatus) {
      case 'SUCCEEDED':
        await this.fetchOutputs(request.workdir, who);
        return { outcome: 'SUCCEEDED', exitCode: 0, signal: null, message: `${name} succeeded` };
      case 'TIMED_OUT':
        return { ...none, outcome: 'TIMED_OUT', message: `${name} timed out` };
      case 'STOPPED':
      case undefined:
      case 'IN_PROGRESS':
        if (stopped?.why === 'TIMED_OUT')
          return {
            ...none,
            outcome: 'TIMED_OUT',
            message: `timed out after ${request.timeoutMs} ms; ${name} was stopped`,
          };
        if (stopped)
          return { ...none, outcome: 'CANCELLED', message: `cancelled; ${name} was stopped` };
        return { ...none, outcome: 'FAILED', message: `${name} was stopped outside Nucleon` };
      default:
        return { ...none, outcome: 'FAILED', message: `${name} ${failureOf(build)}` };
    }
  }

  /** Where CodeBuild writes the build's log: the build says so; else the stream it names. */
  private logLocation(build: Build, who: RunIdentity): { group: string; stream: string } {
    const uuid = build.id!.slice(build.id!.indexOf(':') + 1);
    return {
      group: build.logs?.groupName ?? this.o.logGroup,
      stream: build.logs?.streamName ?? `${who.deploymentId}/${uuid}`,
    };
  }

  /** Copies the build's proton-outputs.json artifact into the workspace (ADR 0026). */
  private async fetchOutputs(workdir: string, who: RunIdentity): Promise<void> {
    const target = join(workdir, PROTON_OUTPUTS_FILE);
    await rm(target, { force: true });
    const key = `${this.o.keyPrefix}/${who.deploymentId}/${OUTPUTS_FOLDER}/${PROTON_OUTPUTS_FILE}`;
    let body: Uint8Array;
    try {
      const got = await this.o.s3.send(new GetObjectCommand({ Bucket: this.o.bucket, Key: key }));
      if ((got.ContentLength ?? 0) > MAX_OUTPUTS_BYTES)
        throw new Error(
          `${PROTON_OUTPUTS_FILE} is ${got.ContentLength} bytes; the limit is ${MAX_OUTPUTS_BYTES}`,
        );
      body = await got.Body!.transformToByteArray();
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name === 'NoSuchKey' || name === 'NotFound') return;
      throw error;
    }
    await writeFile(target, body, { mode: 0o600 });
  }

  /** Deletes what this run uploaded, after checking its tags say it is this run's. */
  private async deleteOwned(key: string, who: RunIdentity): Promise<void> {
    try {
      const tags = await this.o.s3.send(
        new GetObjectTaggingCommand({ Bucket: this.o.bucket, Key: key }),
      );
      const of = (k: string) => tags.TagSet?.find((t) => t.Key === k)?.Value;
      if (of(OWNER_TAG) !== this.o.installationId || of(DEPLOYMENT_TAG) !== who.deploymentId)
        return;
      await this.o.s3.send(new DeleteObjectCommand({ Bucket: this.o.bucket, Key: key }));
    } catch {
      // Cleanup is best effort: the object's tags name its run; a bucket lifecycle rule ends it.
    }
  }

  private tagging(who: RunIdentity): string {
    return new URLSearchParams({
      [OWNER_TAG]: this.o.installationId,
      [DEPLOYMENT_TAG]: who.deploymentId,
    }).toString();
  }

  /** Makes the project on first use when it does not exist (several workers may race: fine). */
  private ensureProject(): Promise<void> {
    this.project ??= this.makeProject().catch((error: unknown) => {
      this.project = undefined;
      throw error;
    });
    return this.project;
  }

  private async makeProject(): Promise<void> {
    const found = await this.o.codebuild.send(
      new BatchGetProjectsCommand({ names: [this.o.project] }),
    );
    if ((found.projects ?? []).length > 0) return;
    const role = this.o.defaultServiceRoleArn;
    if (!role)
      throw new Error(
        `the CodeBuild project ${this.o.project} does not exist: create it, or set NUCLEON_CODEBUILD_ROLE_ARN so Nucleon can`,
      );
    try {
      await this.o.codebuild.send(
        new CreateProjectCommand({
          name: this.o.project,
          description:
            'Runs Nucleon deployments (CodeBuild provisioning); every build overrides it',
          source: { type: 'S3', location: `${this.o.bucket}/${this.o.keyPrefix}/source.zip` },
          artifacts: { type: 'S3', location: this.o.bucket },
          environment: {
            type: 'LINUX_CONTAINER',
            image: this.o.image,
            computeType: this.o.computeType as ComputeType,
          },
          serviceRole: role,
          tags: [{ key: OWNER_TAG, value: this.o.installationId }],
        }),
      );
    } catch (error) {
      if ((error as { name?: string }).name !== 'ResourceAlreadyExistsException') throw error;
    }
  }
}

function isFinal(status: string | undefined): boolean {
  return status !== undefined && status !== 'IN_PROGRESS';
}

/** `failed in BUILD: COMMAND_EXECUTION_ERROR: Error while executing command: …` */
function failureOf(build: Build): string {
  const phase = build.phases?.find((p) => p.phaseStatus && p.phaseStatus !== 'SUCCEEDED');
  const status = build.buildStatus?.toLowerCase() ?? 'failed';
  if (!phase) return `ended ${status}`;
  const context = (phase.contexts ?? [])
    .map((c) => [c.statusCode, c.message].filter(Boolean).join(': '))
    .filter((m) => m.length > 0)
    .join('; ');
  return `ended ${status} in its ${phase.phaseType} phase${context ? `: ${context}` : ''}`;
}
