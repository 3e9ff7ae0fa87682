import type { Logger } from '@nucleon/core';
import { RUNNER_KINDS, type CommandRunner, type RunnerKind } from '../ports/command-runner.js';
import { ConfigError, envNames, type NucleonConfig } from './config.js';

/** `prod=codebuild, dev=local` → environment name → runner (NUCLEON_RUNNER_ENVIRONMENTS). */
export function parseRunnerEnvironments(text: string): Map<string, RunnerKind> {
  const byEnvironment = new Map<string, RunnerKind>();
  const problems: string[] = [];
  for (const part of text.split(',')) {
    const item = part.trim();
    if (item === '') continue;
    const [name, kind, ...rest] = item.split('=').map((s) => s.trim());
    if (!name || rest.length > 0 || !RUNNER_KINDS.includes(kind as RunnerKind))
      problems.push(
        `${envNames.runnerEnvironments}: "${item}" must be environmentName=${RUNNER_KINDS.join('|')}`,
      );
    else byEnvironment.set(name, kind as RunnerKind);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return byEnvironment;
}

/**
 * Picks each deployment's runner (ADR 0026): the environment's entry in
 * NUCLEON_RUNNER_ENVIRONMENTS, else NUCLEON_RUNNER. Remote runners load their SDKs on first use;
 * their settings are checked at start, so a misconfigured installation does not boot.
 */
export function wireRunners(w: {
  config: NucleonConfig;
  local: CommandRunner;
  installationId: string;
  logger: Logger;
}): (environmentName: string | undefined) => Promise<CommandRunner> {
  const byEnvironment = parseRunnerEnvironments(w.config.runnerEnvironments);
  const used = new Set<RunnerKind>([w.config.runner, ...byEnvironment.values()]);
  if (used.has('codebuild') && !w.config.codebuildBucket)
    throw new ConfigError([
      `${envNames.codebuildBucket}: the codebuild runner needs an S3 bucket for each build's source and artifacts`,
    ]);
  const log = w.logger.child({ component: 'runner' });
  log.info(`runner: ${w.config.runner}`, {
    runner: w.config.runner,
    environments: Object.fromEntries(byEnvironment),
  });
  const made = new Map<RunnerKind, Promise<CommandRunner>>([['local', Promise.resolve(w.local)]]);
  const make = (kind: RunnerKind): Promise<CommandRunner> => {
    let runner = made.get(kind);
    if (!runner) {
      runner = kind === 'codebuild' ? makeCodeBuild(w) : makeKubernetes(w);
      made.set(kind, runner);
    }
    return runner;
  };
  return (environmentName) =>
    make((environmentName && byEnvironment.get(environmentName)) || w.config.runner);
}

async function makeCodeBuild(w: {
  config: NucleonConfig;
  installationId: string;
}): Promise<CommandRunner> {
  const [{ CodeBuildClient }, { CloudWatchLogsClient }, { S3Client }, { CodeBuildCommandRunner }] =
    await Promise.all([
      import('@aws-sdk/client-codebuild'),
      import('@aws-sdk/client-cloudwatch-logs'),
      import('@aws-sdk/client-s3'),
      import('../adapters/runners/codebuild-command-runner.js'),
    ]);
  const c = w.config;
  // The SDK's standard chains (credentials, AWS_ENDPOINT_URL_*), as for every other AWS call.
  return new CodeBuildCommandRunner({
    codebuild: new CodeBuildClient({ region: c.region }),
    logs: new CloudWatchLogsClient({ region: c.region }),
    s3: new S3Client({ region: c.region, forcePathStyle: c.s3ForcePathStyle }),
    bucket: c.codebuildBucket!,
    keyPrefix: 'nucleon-runs',
    project: c.codebuildProject,
    defaultServiceRoleArn: c.codebuildRoleArn,
    image: c.codebuildImage,
    computeType: c.codebuildComputeType,
    logGroup: c.codebuildLogGroup,
    pollMs: c.runnerPollMs,
    installationId: w.installationId,
  });
}

async function makeKubernetes(w: {
  config: NucleonConfig;
  installationId: string;
}): Promise<CommandRunner> {
  const [k8s, { KubernetesCommandRunner }] = await Promise.all([
    import('@kubernetes/client-node'),
    import('../adapters/runners/kubernetes-command-runner.js'),
  ]);
  const c = w.config;
  const kc = new k8s.KubeConfig();
  if (c.kubeconfig) kc.loadFromFile(c.kubeconfig);
  else kc.loadFromDefault(); // in-cluster service account, or $KUBECONFIG / ~/.kube/config
  return new KubernetesCommandRunner({
    kubeConfig: kc,
    namespace: c.kubernetesNamespace,
    image: c.kubernetesImage,
    serviceAccount: c.kubernetesServiceAccount,
    pollMs: c.runnerPollMs,
    installationId: w.installationId,
  });
}
