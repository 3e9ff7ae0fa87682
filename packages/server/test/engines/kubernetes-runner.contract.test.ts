import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandOutputLine, CommandRunRequest } from '../../src/ports/command-runner.js';
import { KubernetesCommandRunner } from '../../src/adapters/runners/kubernetes-command-runner.js';
import { KubernetesContractServer } from './kubernetes-contract-server.js';

/**
 * The Kubernetes runner against an API contract written from the Kubernetes API reference: no
 * cluster runs here, so
 * KubernetesContractServer (see its comment) answers the endpoints the adapter calls with those
 * shapes and plays the kubelet by running the pod's command with bash on this machine.
 * The adapter talks to it through the real @kubernetes/client-node, as it would to a cluster.
 */
describe('KubernetesCommandRunner (recorded API contract; no cluster runs here)', () => {
  const cluster = new KubernetesContractServer();
  let runner: KubernetesCommandRunner;
  let root: string;

  beforeAll(async () => {
    await cluster.start();
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'contract', server: cluster.url, skipTLSVerify: true }],
      users: [{ name: 'nucleon', token: 'contract-token' }],
      contexts: [{ name: 'contract', cluster: 'contract', user: 'nucleon' }],
      currentContext: 'contract',
    });
    runner = new KubernetesCommandRunner({
      kubeConfig: kc,
      namespace: 'provisioning',
      image: 'debian:bookworm-slim',
      serviceAccount: 'nucleon-runner',
      pollMs: 50,
      installationId: 'inst-1',
    });
    root = mkdtempSync(join(tmpdir(), 'k8s-runner-test-'));
  });
  afterAll(async () => {
    await cluster.stop();
    rmSync(root, { recursive: true, force: true });
  });

  const request = (
    id: string,
    commands: string[],
    extra: Partial<CommandRunRequest> = {},
  ): { request: CommandRunRequest; lines: CommandOutputLine[]; workdir: string } => {
    const workdir = join(root, id);
    mkdirSync(join(workdir, 'sub'), { recursive: true });
    writeFileSync(
      join(workdir, 'proton-inputs.json'),
      JSON.stringify({ environment: { name: id } }),
    );
    writeFileSync(join(workdir, 'sub', 'note.txt'), 'nested file\n');
    const lines: CommandOutputLine[] = [];
    return {
      workdir,
      lines,
      request: {
        workdir,
        commands,
        env: {
          STAGE: 'k8s',
          RESOURCE_ARN: `arn:aws:proton:us-east-1:123456789012:environment/${id}`,
        },
        timeoutMs: 60_000,
        onOutput: (l) => lines.push(l),
        deployment: {
          deploymentId: id,
          resourceArn: `arn:aws:proton:us-east-1:123456789012:environment/${id}`,
        },
        ...extra,
      },
    };
  };

  it('runs the commands as a labelled Job from a Secret, streams the pod log and brings outputs back', async () => {
    const {
      request: r,
      lines,
      workdir,
    } = request('0b7a4c1e-aaaa-4bbb-8ccc-000000000001', [
      'cd sub && export GREETING="hi from $STAGE"',
      'cat note.txt; echo "$GREETING"',
      `printf '[{"key":"Where","valueString":"%s"}]' "$(pwd)" > ../proton-outputs.json`,
    ]);
    const result = await runner.run(r);
    expect(result.message).toContain('all 3 commands succeeded');
    expect(result.outcome).toBe('SUCCEEDED');
    expect(lines.map((l) => l.text)).toEqual(['nested file', 'hi from k8s']);
    const outputs = JSON.parse(
      readFileSync(join(workdir, 'proton-outputs.json'), 'utf8'),
    ) as Array<{
      valueString: string;
    }>;
    expect(outputs[0]!.valueString).toMatch(/\/workspace\/sub$/);

    const name = 'nucleon-0b7a4c1e-aaaa-4bbb-8ccc-000000000001';
    expect(cluster.calls()).toEqual([
      'POST /api/v1/namespaces/provisioning/secrets',
      'POST /apis/batch/v1/namespaces/provisioning/jobs',
      `GET /api/v1/namespaces/provisioning/pods/${name}-x7k2p/log`,
      `GET /apis/batch/v1/namespaces/provisioning/jobs/${name}`,
      `DELETE /apis/batch/v1/namespaces/provisioning/jobs/${name}`,
      `GET /api/v1/namespaces/provisioning/secrets/${name}`,
      `DELETE /api/v1/namespaces/provisioning/secrets/${name}`,
    ]);
    expect(cluster.requests.every((q) => q.authorization === 'Bearer contract-token')).toBe(true);
    const labels = {
      'app.kubernetes.io/managed-by': 'nucleon',
      'nucleon.dev/installation': 'inst-1',
      'nucleon.dev/deployment-id': '0b7a4c1e-aaaa-4bbb-8ccc-000000000001',
    };
    const secret = cluster.requests[0]!.body as {
      metadata: { name: string; labels: unknown };
      data: Record<string, string>;
    };
    expect(secret.metadata).toEqual({ name, namespace: 'provisioning', labels });
    expect(Object.keys(secret.data).sort()).toEqual([
      'commands',
      'driver.sh',
      'env.RESOURCE_ARN',
      'env.STAGE',
      'workspace.tgz',
    ]);
    const job = cluster.requests[1]!.body as {
      metadata: { name: string; labels: unknown; annotations: Record<string, string> };
      spec: {
        backoffLimit: number;
        activeDeadlineSeconds: number;
        template: {
          spec: {
            restartPolicy: string;
            serviceAccountName: string;
            containers: Array<{ image: string; env: Array<{ name: string; valueFrom?: unknown }> }>;
          };
        };
      };
    };
    expect(job.metadata.name).toBe(name);
    expect(job.metadata.labels).toEqual(labels);
    expect(job.metadata.annotations['nucleon.dev/resource-arn']).toContain(':environment/0b7a4c1e');
    expect(job.spec.backoffLimit).toBe(0);
    expect(job.spec.activeDeadlineSeconds).toBe(60);
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
    expect(job.spec.template.spec.serviceAccountName).toBe('nucleon-runner');
    const container = job.spec.template.spec.containers[0]!;
    expect(container.image).toBe('debian:bookworm-slim');
    // Values travel in the Secret, referenced from the pod spec, never in the Job itself.
    expect(container.env.find((e) => e.name === 'STAGE')).toEqual({
      name: 'STAGE',
      valueFrom: { secretKeyRef: { name, key: 'env.STAGE' } },
    });
    const log = cluster.requests.find((q) => q.path.endsWith('/log'))!;
    expect(Object.fromEntries(log.query)).toMatchObject({
      container: 'commands',
      follow: 'true',
      timestamps: 'true',
    });
    expect(cluster.jobs.has(name)).toBe(false);
    expect(cluster.secrets.has(name)).toBe(false);
  });

  it('reports the failing command and its exit status', async () => {
    cluster.requests.length = 0;
    const { request: r, workdir } = request('0b7a4c1e-aaaa-4bbb-8ccc-000000000002', [
      'echo one',
      'echo about to fail; exit 7',
      'echo never',
    ]);
    const result = await runner.run(r);
    expect(result.outcome).toBe('FAILED');
    expect(result.exitCode).toBe(7);
    expect(result.failedCommandIndex).toBe(1);
    expect(result.message).toContain(
      'command[1] of 3 ("echo about to fail; exit 7") failed with exit status 7',
    );
    expect(existsSync(join(workdir, 'proton-outputs.json'))).toBe(false);
  });

  it('cancel deletes the Job (its pod is stopped) and the Secret', async () => {
    cluster.requests.length = 0;
    const abort = new AbortController();
    const { request: r, lines } = request(
      '0b7a4c1e-aaaa-4bbb-8ccc-000000000003',
      ['echo waiting; sleep 300'],
      {
        signal: abort.signal,
        onOutput: (l) => {
          lines.push(l);
          if (l.text === 'waiting') abort.abort();
        },
      },
    );
    const result = await runner.run(r);
    expect(result.outcome).toBe('CANCELLED');
    expect(result.message).toContain('was deleted');
    const name = 'nucleon-0b7a4c1e-aaaa-4bbb-8ccc-000000000003';
    expect(cluster.calls()).toContain(`DELETE /apis/batch/v1/namespaces/provisioning/jobs/${name}`);
    expect(cluster.calls()).toContain(`DELETE /api/v1/namespaces/provisioning/secrets/${name}`);
    const pod = cluster.pods.get(`${name}-x7k2p`)!;
    await new Promise<void>((resolve) =>
      pod.ended ? resolve() : pod.listeners.push(() => pod.ended && resolve()),
    );
    expect(pod.process?.signalCode).toBe('SIGKILL');
  });

  it('deletes nothing that is not labelled as this run’s', async () => {
    cluster.requests.length = 0;
    const name = 'nucleon-0b7a4c1e-aaaa-4bbb-8ccc-000000000004';
    // Someone else's Job under the same name: creating ours fails, and theirs is left alone.
    cluster.jobs.set(name, { metadata: { name, labels: { team: 'other' } } });
    const { request: r } = request('0b7a4c1e-aaaa-4bbb-8ccc-000000000004', ['echo hi']);
    await expect(runner.run(r)).rejects.toThrow();
    expect(cluster.jobs.has(name)).toBe(true);
    expect(cluster.calls()).not.toContain(
      `DELETE /apis/batch/v1/namespaces/provisioning/jobs/${name}`,
    );
    expect(cluster.calls()).toContain(`DELETE /api/v1/namespaces/provisioning/secrets/${name}`);
  });
});
