import type { V1Job, V1Secret } from '@kubernetes/client-node';

/** Labels on everything the runner creates; checked before it deletes anything. */
export const MANAGED_BY = 'app.kubernetes.io/managed-by';
export const INSTALLATION_LABEL = 'nucleon.dev/installation';
export const DEPLOYMENT_LABEL = 'nucleon.dev/deployment-id';
export const CONTAINER = 'commands';

/** Where the pod finds the Secret's files and unpacks the workspace. */
const FILES = '/nucleon';
const WORKSPACE = '/workspace';

/**
 * The pod's driver (constant text). Commands arrive as NUL-separated data; each is evaluated in
 * one bash, so `cd` and `export` carry over (as in CodeBuild); the first failure ends the run.
 * Lines starting with the run's random marker report progress and, at the end, the workspace's
 * proton-outputs.json (base64) through the pod log: no other way back from the pod is needed.
 */
export const POD_DRIVER = `# Nucleon pod driver (generated; constant text)
__nucleon_cmds=()
while IFS= read -r -d '' __nucleon_cmd; do
  __nucleon_cmds+=("$__nucleon_cmd")
done < "$NUCLEON_FILES/commands"
unset __nucleon_cmd
__nucleon_i=0
while [ "$__nucleon_i" -lt "\${#__nucleon_cmds[@]}" ]; do
  builtin printf '%s started %s\\n' "$NUCLEON_MARKER" "$__nucleon_i"
  eval "\${__nucleon_cmds[$__nucleon_i]}"
  __nucleon_rc=$?
  if [ "$__nucleon_rc" -ne 0 ]; then
    builtin exit "$__nucleon_rc"
  fi
  __nucleon_i=$((__nucleon_i + 1))
done
if [ -f "$NUCLEON_WORKSPACE/proton-outputs.json" ]; then
  builtin printf '%s outputs %s\\n' "$NUCLEON_MARKER" "$(base64 -w0 "$NUCLEON_WORKSPACE/proton-outputs.json")"
fi
builtin printf '%s done\\n' "$NUCLEON_MARKER"
builtin exit 0
`;

/** Unpacks the workspace and starts the driver in it. */
export const POD_COMMAND = [
  'bash',
  '-c',
  'mkdir -p "$NUCLEON_WORKSPACE" && tar -xzf "$NUCLEON_FILES/workspace.tgz" -C "$NUCLEON_WORKSPACE" && cd "$NUCLEON_WORKSPACE" && exec bash --noprofile --norc "$NUCLEON_FILES/driver.sh"',
];

export interface JobSpecInput {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  resourceArn: string;
  image: string;
  serviceAccount?: string | undefined;
  timeoutMs: number;
  env: Readonly<Record<string, string>>;
  marker: string;
  workspaceTgz: Buffer;
  commands: readonly string[];
}

/** The Secret holding the workspace, the commands, the driver and the environment values. */
export function secretFor(i: JobSpecInput): V1Secret {
  const data: Record<string, string> = {
    'workspace.tgz': i.workspaceTgz.toString('base64'),
    commands: Buffer.from(i.commands.map((c) => `${c}\0`).join('')).toString('base64'),
    'driver.sh': Buffer.from(POD_DRIVER).toString('base64'),
  };
  for (const [name, value] of Object.entries(i.env))
    data[`env.${name}`] = Buffer.from(value).toString('base64');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: i.name, namespace: i.namespace, labels: i.labels },
    type: 'Opaque',
    data,
  };
}

/** One pod, never restarted or retried (at-most-once), deadline = the deployment's timeout. */
export function jobFor(i: JobSpecInput): V1Job {
  const env = [
    ...Object.keys(i.env).map((name) => ({
      name,
      valueFrom: { secretKeyRef: { name: i.name, key: `env.${name}` } },
    })),
    { name: 'NUCLEON_MARKER', value: i.marker },
    { name: 'NUCLEON_FILES', value: FILES },
    { name: 'NUCLEON_WORKSPACE', value: WORKSPACE },
  ];
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: i.name,
      namespace: i.namespace,
      labels: i.labels,
      annotations: { 'nucleon.dev/resource-arn': i.resourceArn },
    },
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: Math.max(1, Math.ceil(i.timeoutMs / 1000)),
      ttlSecondsAfterFinished: 3600,
      template: {
        metadata: { labels: i.labels },
        spec: {
          restartPolicy: 'Never',
          ...(i.serviceAccount ? { serviceAccountName: i.serviceAccount } : {}),
          containers: [
            {
              name: CONTAINER,
              image: i.image,
              command: [...POD_COMMAND],
              env,
              volumeMounts: [
                { name: 'files', mountPath: FILES, readOnly: true },
                { name: 'workspace', mountPath: WORKSPACE },
              ],
            },
          ],
          volumes: [
            {
              name: 'files',
              secret: {
                secretName: i.name,
                items: ['workspace.tgz', 'commands', 'driver.sh'].map((key) => ({
                  key,
                  path: key,
                })),
              },
            },
            { name: 'workspace', emptyDir: {} },
          ],
        },
      },
    },
  };
}
