import { resolve } from 'node:path';
import { z } from 'zod';
import { tracingEnvNames, tracingSettings } from './tracing-config.js';
import {
  BUNDLE_LIMIT_SETTINGS,
  DEFAULT_BUNDLE_LIMITS,
  type BundleLimits,
} from '@nucleon/templates';

/**
 * Nucleon's configuration. Precedence: defaults < NUCLEON_* environment < flags. It is
 * validated once at boot, reporting every problem at once; nothing outside main/ reads
 * process.env.
 */
const schema = z.object({
  port: z.coerce.number().int().min(0).max(65535).default(8080),
  host: z.string().default('127.0.0.1'),
  dataDir: z.string().default('./.nucleon'),
  databaseUrl: z.string().url().optional(),
  region: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must look like us-east-1')
    .default('us-east-1'),
  accountId: z
    .string()
    .regex(/^\d{12}$/, 'must be 12 digits')
    .optional(),
  rootAccessKeyId: z
    .string()
    .regex(/^[A-Z0-9]{16,128}$/, 'must be 16–128 upper-case letters and digits')
    .optional(),
  rootSecretAccessKey: z.string().min(16).optional(),
  masterKey: z.string().optional(),
  logLevel: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  logFormat: z.enum(['json', 'pretty']).default('json'),
  /** Default: 8 MiB, or enough for a base64-encoded bundle of bundleMaxBytes when that is larger. */
  maxRequestBytes: z.coerce.number().int().min(1024).optional(),
  // Bundle limits: Proton's quotas by default (ADR 0016); names match BUNDLE_LIMIT_SETTINGS.
  bundleMaxBytes: z.coerce.number().int().min(1024).default(DEFAULT_BUNDLE_LIMITS.maxArchiveBytes),
  bundleMaxUnpackedBytes: z.coerce
    .number()
    .int()
    .min(1024)
    .default(DEFAULT_BUNDLE_LIMITS.maxUnpackedBytes),
  bundleMaxFiles: z.coerce.number().int().min(1).default(DEFAULT_BUNDLE_LIMITS.maxEntries),
  manifestMaxBytes: z.coerce
    .number()
    .int()
    .min(1024)
    .default(DEFAULT_BUNDLE_LIMITS.maxManifestBytes),
  schemaMaxBytes: z.coerce.number().int().min(1024).default(DEFAULT_BUNDLE_LIMITS.maxSchemaBytes),
  templateFileMaxBytes: z.coerce
    .number()
    .int()
    .min(1024)
    .default(DEFAULT_BUNDLE_LIMITS.maxFileBytes),
  templateMaxFiles: z.coerce.number().int().min(1).default(DEFAULT_BUNDLE_LIMITS.maxTemplateFiles),
  workerConcurrency: z.coerce.number().int().min(0).max(64).default(4),
  bundleBucket: z.string().default('nucleon-bundles'),
  maxTemplates: z.coerce.number().int().min(1).default(100),
  maxVersionsPerTemplate: z.coerce.number().int().min(1).default(500),
  /** Environment account connections per environment account (Proton's quota: 5). */
  maxConnectionsPerAccount: z.coerce.number().int().min(1).default(5),
  shutdownGraceMs: z.coerce.number().int().min(0).default(10_000),
  publicUrl: z.string().url().optional(),
  deploymentTimeoutMs: z.coerce
    .number()
    .int()
    .min(1000)
    .default(60 * 60_000),
  jobLeaseMs: z.coerce.number().int().min(1000).default(30_000),
  cfnPollMs: z.coerce.number().int().min(50).default(2000),
  runnerPassEnv: z.string().default(''),
  runnerSandbox: z.enum(['required', 'auto', 'off']).default('auto'),
  runnerUid: z.coerce.number().int().min(1).max(4_294_967_294).default(65534),
  workspaceDir: z.string().optional(),
  // Runners (ADR 0026): where CodeBuild-provisioning commands run.
  runner: z.enum(['local', 'codebuild', 'kubernetes']).default('local'),
  /** Per-environment runners: `envName=kind,other=kind`. */
  runnerEnvironments: z.string().default(''),
  runnerPollMs: z.coerce.number().int().min(50).default(2000),
  codebuildBucket: z.string().optional(),
  codebuildProject: z.string().default('nucleon-provisioning'),
  codebuildRoleArn: z.string().optional(),
  codebuildImage: z.string().default('aws/codebuild/amazonlinux2-x86_64-standard:5.0'),
  codebuildComputeType: z.string().default('BUILD_GENERAL1_SMALL'),
  codebuildLogGroup: z.string().default('/nucleon/codebuild'),
  kubeconfig: z.string().optional(),
  kubernetesNamespace: z.string().default('default'),
  kubernetesImage: z.string().default('debian:bookworm-slim'),
  kubernetesServiceAccount: z.string().optional(),
  dbPoolSize: z.coerce.number().int().min(1).max(200).default(20),
  /** Check every response against the model strictly (tests, development; ADR 0024). */
  strictWire: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  s3ForcePathStyle: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  stallWarningMs: z.coerce
    .number()
    .int()
    .min(100)
    .default(5 * 60_000),
  credentialPurgeMs: z.coerce
    .number()
    .int()
    .min(100)
    .default(10 * 60_000),
  maxBodyBytes: z.coerce
    .number()
    .int()
    .min(1024)
    .default(256 * 1024),
  requestTimeoutMs: z.coerce.number().int().min(1000).default(60_000),
  headersTimeoutMs: z.coerce.number().int().min(1000).default(15_000),
  maxConnections: z.coerce.number().int().min(1).default(1024),
  rateLimitRps: z.coerce.number().min(0).default(500),
  rateLimitBurst: z.coerce.number().int().min(1).default(2000),
  renderWorkers: z.coerce.number().int().min(1).max(32).default(2),
  renderTimeoutMs: z.coerce.number().int().min(100).default(30_000),
  renderMaxSteps: z.coerce.number().int().min(1000).default(2_000_000),
  renderMaxOutputChars: z.coerce
    .number()
    .int()
    .min(1024)
    .default(16 * 1024 * 1024),
  /** Test-only: failures injected at named deployment steps (see ports/fault-injector.ts). */
  faults: z.string().optional(),
  /** `nucleon worker` only: serve /healthz and /readyz on this port (0 picks a free one). */
  healthPort: z.coerce.number().int().min(0).max(65535).optional(),
  /** How often each synced repository is fetched (webhooks fetch at once); 0 turns polling off. */
  syncPollSeconds: z.coerce.number().min(0).default(60),
  /** When set, GET /metrics needs `Authorization: Bearer <token>` (ADR 0027). */
  metricsToken: z.string().min(16, 'must be at least 16 characters').optional(),
  /** A second listener with only /healthz, /readyz and /metrics (for `nucleon worker`). */
  metricsPort: z.coerce.number().int().min(0).max(65535).optional(),
  /** How often the drift of every deployed resource is checked and stored (ADR 0023); 0: never. */
  driftIntervalSeconds: z.coerce.number().int().min(0).default(0),
  /** Delivered or failed events older than this many days are pruned (ADR 0023); 0: kept forever. */
  eventRetentionDays: z.coerce.number().min(0).default(14),
  /** OpenTelemetry traces, under the standard OTEL_* names (ADR 0027). */
  ...tracingSettings,
});

export type NucleonConfig = Omit<z.infer<typeof schema>, 'maxRequestBytes'> & {
  dataDir: string;
  maxRequestBytes: number;
};

/** Environment variable for each setting. */
export const envNames: Record<keyof z.infer<typeof schema>, string> = {
  port: 'NUCLEON_PORT',
  host: 'NUCLEON_HOST',
  dataDir: 'NUCLEON_DATA_DIR',
  databaseUrl: 'DATABASE_URL',
  region: 'NUCLEON_REGION',
  accountId: 'NUCLEON_ACCOUNT_ID',
  rootAccessKeyId: 'NUCLEON_ROOT_ACCESS_KEY_ID',
  rootSecretAccessKey: 'NUCLEON_ROOT_SECRET_ACCESS_KEY',
  masterKey: 'NUCLEON_MASTER_KEY',
  logLevel: 'NUCLEON_LOG_LEVEL',
  logFormat: 'NUCLEON_LOG_FORMAT',
  maxRequestBytes: 'NUCLEON_MAX_REQUEST_BYTES',
  bundleMaxBytes: BUNDLE_LIMIT_SETTINGS.maxArchiveBytes,
  bundleMaxUnpackedBytes: BUNDLE_LIMIT_SETTINGS.maxUnpackedBytes,
  bundleMaxFiles: BUNDLE_LIMIT_SETTINGS.maxEntries,
  manifestMaxBytes: BUNDLE_LIMIT_SETTINGS.maxManifestBytes,
  schemaMaxBytes: BUNDLE_LIMIT_SETTINGS.maxSchemaBytes,
  templateFileMaxBytes: BUNDLE_LIMIT_SETTINGS.maxFileBytes,
  templateMaxFiles: BUNDLE_LIMIT_SETTINGS.maxTemplateFiles,
  workerConcurrency: 'NUCLEON_WORKER_CONCURRENCY',
  bundleBucket: 'NUCLEON_BUNDLE_BUCKET',
  maxTemplates: 'NUCLEON_MAX_TEMPLATES',
  maxVersionsPerTemplate: 'NUCLEON_MAX_VERSIONS_PER_TEMPLATE',
  maxConnectionsPerAccount: 'NUCLEON_MAX_CONNECTIONS_PER_ACCOUNT',
  shutdownGraceMs: 'NUCLEON_SHUTDOWN_GRACE_MS',
  publicUrl: 'NUCLEON_PUBLIC_URL',
  deploymentTimeoutMs: 'NUCLEON_DEPLOYMENT_TIMEOUT_MS',
  jobLeaseMs: 'NUCLEON_JOB_LEASE_MS',
  cfnPollMs: 'NUCLEON_CFN_POLL_MS',
  runnerPassEnv: 'NUCLEON_RUNNER_PASS_ENV',
  runnerSandbox: 'NUCLEON_RUNNER_SANDBOX',
  runnerUid: 'NUCLEON_RUNNER_UID',
  workspaceDir: 'NUCLEON_WORKSPACE_DIR',
  runner: 'NUCLEON_RUNNER',
  runnerEnvironments: 'NUCLEON_RUNNER_ENVIRONMENTS',
  runnerPollMs: 'NUCLEON_RUNNER_POLL_MS',
  codebuildBucket: 'NUCLEON_CODEBUILD_BUCKET',
  codebuildProject: 'NUCLEON_CODEBUILD_PROJECT',
  codebuildRoleArn: 'NUCLEON_CODEBUILD_ROLE_ARN',
  codebuildImage: 'NUCLEON_CODEBUILD_IMAGE',
  codebuildComputeType: 'NUCLEON_CODEBUILD_COMPUTE_TYPE',
  codebuildLogGroup: 'NUCLEON_CODEBUILD_LOG_GROUP',
  kubeconfig: 'NUCLEON_KUBECONFIG',
  kubernetesNamespace: 'NUCLEON_KUBERNETES_NAMESPACE',
  kubernetesImage: 'NUCLEON_KUBERNETES_IMAGE',
  kubernetesServiceAccount: 'NUCLEON_KUBERNETES_SERVICE_ACCOUNT',
  dbPoolSize: 'NUCLEON_DB_POOL_SIZE',
  strictWire: 'NUCLEON_STRICT_WIRE',
  s3ForcePathStyle: 'NUCLEON_S3_FORCE_PATH_STYLE',
  stallWarningMs: 'NUCLEON_STALL_WARNING_MS',
  credentialPurgeMs: 'NUCLEON_CREDENTIAL_PURGE_MS',
  maxBodyBytes: 'NUCLEON_MAX_BODY_BYTES',
  requestTimeoutMs: 'NUCLEON_REQUEST_TIMEOUT_MS',
  headersTimeoutMs: 'NUCLEON_HEADERS_TIMEOUT_MS',
  maxConnections: 'NUCLEON_MAX_CONNECTIONS',
  rateLimitRps: 'NUCLEON_RATE_LIMIT_RPS',
  rateLimitBurst: 'NUCLEON_RATE_LIMIT_BURST',
  renderWorkers: 'NUCLEON_RENDER_WORKERS',
  renderTimeoutMs: 'NUCLEON_RENDER_TIMEOUT_MS',
  renderMaxSteps: 'NUCLEON_RENDER_MAX_STEPS',
  renderMaxOutputChars: 'NUCLEON_RENDER_MAX_OUTPUT_CHARS',
  faults: 'NUCLEON_FAULTS',
  syncPollSeconds: 'NUCLEON_SYNC_POLL_SECONDS',
  healthPort: 'NUCLEON_HEALTH_PORT',
  metricsToken: 'NUCLEON_METRICS_TOKEN',
  metricsPort: 'NUCLEON_METRICS_PORT',
  driftIntervalSeconds: 'NUCLEON_DRIFT_INTERVAL_SECONDS',
  eventRetentionDays: 'NUCLEON_EVENT_RETENTION_DAYS',
  ...tracingEnvNames,
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Builds the configuration from the environment and flags (flags win). */
export function loadConfig(
  env: Record<string, string | undefined>,
  flags: Partial<Record<keyof typeof envNames, unknown>> = {},
): NucleonConfig {
  const raw: Record<string, unknown> = {};
  for (const [key, name] of Object.entries(envNames)) {
    const v = env[name];
    if (v !== undefined && v !== '') raw[key] = v;
  }
  for (const [key, v] of Object.entries(flags)) if (v !== undefined) raw[key] = v;
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => {
        const key = String(i.path[0]) as keyof typeof envNames;
        return `${envNames[key] ?? key} (--${String(key).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}): ${i.message}`;
      }),
    );
  }
  const { maxRequestBytes, ...rest } = parsed.data;
  return {
    ...rest,
    // A bundle travels base64-encoded in PutBundle's JSON body.
    maxRequestBytes:
      maxRequestBytes ??
      Math.max(8 * 1024 * 1024, Math.ceil(rest.bundleMaxBytes / 3) * 4 + 64 * 1024),
    dataDir: resolve(parsed.data.dataDir),
  };
}

/** The bundle limits a server applies, from its configuration. */
export function bundleLimitsOf(config: NucleonConfig): BundleLimits {
  return {
    maxArchiveBytes: config.bundleMaxBytes,
    maxUnpackedBytes: config.bundleMaxUnpackedBytes,
    maxEntries: config.bundleMaxFiles,
    maxManifestBytes: config.manifestMaxBytes,
    maxSchemaBytes: config.schemaMaxBytes,
    maxFileBytes: config.templateFileMaxBytes,
    maxTemplateFiles: config.templateMaxFiles,
  };
}

/** The configuration with secrets replaced, for logs. */
export function redactConfig(config: NucleonConfig): Record<string, unknown> {
  return {
    ...config,
    rootSecretAccessKey: config.rootSecretAccessKey ? '<redacted>' : undefined,
    masterKey: config.masterKey ? '<redacted>' : undefined,
    metricsToken: config.metricsToken ? '<redacted>' : undefined,
    // OTLP headers usually carry a vendor's API key.
    otelHeaders: config.otelHeaders ? '<redacted>' : undefined,
    otelTracesHeaders: config.otelTracesHeaders ? '<redacted>' : undefined,
    databaseUrl: config.databaseUrl?.replace(/\/\/([^:/@]+):([^@]+)@/, '//$1:<redacted>@'),
  };
}
