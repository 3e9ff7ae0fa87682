import { accessOperations, accessShapes } from './access-extensions.js';
import { rolloutOperations, rolloutShapes } from './rollout-extensions.js';
import { importOperations, importShapes } from './import-extensions.js';
import { careOperations, careShapes } from './care-extensions.js';
import type { ModelOperation, ModelShape } from './model-types.js';

/**
 * Nucleon's extension operations: features Proton never had, on the same endpoint under their
 * own target prefix, described in the same shape language as Proton's model so the same
 * validation and serialization apply.
 */
export const extensionTargetPrefix = 'Nucleon20261127';

export const extensionShapes: Readonly<Record<string, ModelShape>> = {
  NucleonBucketName: {
    type: 'string',
    min: 3,
    max: 63,
    pattern: '^[a-z0-9]+[a-z0-9-\\.]+[a-z0-9]+$',
  },
  NucleonObjectKey: { type: 'string', min: 1, max: 1024 },
  // No max: PutBundle's body limit (NUCLEON_MAX_REQUEST_BYTES) bounds it, and the server's bundle
  // limit (NUCLEON_BUNDLE_MAX_BYTES) refuses a larger bundle with a message naming it.
  NucleonBase64: { type: 'string', min: 1 },
  NucleonSha256: { type: 'string' },
  NucleonSize: { type: 'long' },
  NucleonAccessKeyId: { type: 'string', min: 16, max: 128, pattern: '^[A-Z0-9]+$' },
  NucleonText: { type: 'string', max: 500 },
  NucleonSecret: { type: 'string', sensitive: true },
  NucleonBoolean: { type: 'boolean' },
  NucleonAccessKey: {
    type: 'structure',
    required: ['accessKeyId', 'createdAt'],
    members: {
      accessKeyId: { shape: 'NucleonAccessKeyId' },
      secretAccessKey: { shape: 'NucleonSecret' },
      description: { shape: 'NucleonText' },
      root: { shape: 'NucleonBoolean' },
      createdAt: { shape: 'Timestamp' },
      userName: { shape: 'NucleonUserName' },
      role: { shape: 'NucleonRole' },
      accountId: { shape: 'AwsAccountId' },
    },
  },
  NucleonAccessKeyList: { type: 'list', member: 'NucleonAccessKey' },
  CreateAccessKeyInput: {
    type: 'structure',
    members: {
      description: { shape: 'NucleonText' },
      userName: { shape: 'NucleonUserName' },
      role: { shape: 'NucleonRole' },
      /** The account the key acts in (ADR 0018); default: the installation's own. */
      accountId: { shape: 'AwsAccountId' },
    },
  },
  CreateAccessKeyOutput: {
    type: 'structure',
    required: ['accessKey'],
    members: { accessKey: { shape: 'NucleonAccessKey' } },
  },
  ListAccessKeysInput: { type: 'structure', members: {} },
  ListAccessKeysOutput: {
    type: 'structure',
    required: ['accessKeys'],
    members: { accessKeys: { shape: 'NucleonAccessKeyList' } },
  },
  DeleteAccessKeyInput: {
    type: 'structure',
    required: ['accessKeyId'],
    members: { accessKeyId: { shape: 'NucleonAccessKeyId' } },
  },
  DeleteAccessKeyOutput: { type: 'structure', members: {} },
  NucleonLong: { type: 'long' },
  NucleonString: { type: 'string' },
  NucleonLongText: { type: 'string', max: 1_000_000 },
  NucleonDeploymentEvent: {
    type: 'structure',
    required: ['id', 'at', 'kind', 'message'],
    members: {
      id: { shape: 'NucleonLong' },
      at: { shape: 'Timestamp' },
      kind: { shape: 'NucleonString' },
      message: { shape: 'NucleonString' },
    },
  },
  NucleonDeploymentEventList: { type: 'list', member: 'NucleonDeploymentEvent' },
  NucleonRenderedFile: {
    type: 'structure',
    required: ['path', 'content'],
    members: { path: { shape: 'NucleonString' }, content: { shape: 'NucleonString' } },
  },
  NucleonRenderedFileList: { type: 'list', member: 'NucleonRenderedFile' },
  GetDeploymentDetailsInput: {
    type: 'structure',
    required: ['id'],
    members: {
      id: { shape: 'DeploymentId' },
      afterEventId: { shape: 'NucleonLong' },
      includeRendered: { shape: 'NucleonBoolean' },
    },
  },
  GetDeploymentDetailsOutput: {
    type: 'structure',
    required: ['deployment', 'events'],
    members: {
      deployment: { shape: 'Deployment' },
      engine: { shape: 'NucleonString' },
      operation: { shape: 'NucleonString' },
      outputs: { shape: 'OutputsList' },
      events: { shape: 'NucleonDeploymentEventList' },
      renderedFiles: { shape: 'NucleonRenderedFileList' },
    },
  },
  NucleonRemoteUrl: { type: 'string', min: 1, max: 2048 },
  NucleonToken: { type: 'string', min: 1, max: 4096, sensitive: true },
  SetRepositoryRemoteInput: {
    type: 'structure',
    required: ['provider', 'name', 'remoteUrl'],
    members: {
      provider: { shape: 'RepositoryProvider' },
      name: { shape: 'RepositoryName' },
      remoteUrl: { shape: 'NucleonRemoteUrl' },
      token: { shape: 'NucleonToken' },
    },
  },
  SetRepositoryRemoteOutput: {
    type: 'structure',
    required: ['repository'],
    members: { repository: { shape: 'Repository' } },
  },
  NucleonWebhookSecret: { type: 'string', min: 16, max: 256, sensitive: true },
  NucleonRepositoryWebhook: {
    type: 'structure',
    required: ['url', 'secretSet'],
    members: {
      url: { shape: 'NucleonString' },
      /** Only in SetRepositoryWebhook's answer: the secret is shown once. */
      secret: { shape: 'NucleonWebhookSecret' },
      secretSet: { shape: 'NucleonBoolean' },
    },
  },
  SetRepositoryWebhookInput: {
    type: 'structure',
    required: ['provider', 'name'],
    members: {
      provider: { shape: 'RepositoryProvider' },
      name: { shape: 'RepositoryName' },
      secret: { shape: 'NucleonWebhookSecret' },
    },
  },
  SetRepositoryWebhookOutput: {
    type: 'structure',
    required: ['webhook'],
    members: { webhook: { shape: 'NucleonRepositoryWebhook' } },
  },
  GetRepositoryWebhookInput: {
    type: 'structure',
    required: ['provider', 'name'],
    members: {
      provider: { shape: 'RepositoryProvider' },
      name: { shape: 'RepositoryName' },
    },
  },
  GetRepositoryWebhookOutput: {
    type: 'structure',
    required: ['webhook'],
    members: { webhook: { shape: 'NucleonRepositoryWebhook' } },
  },
  PutBundleInput: {
    type: 'structure',
    required: ['key', 'content'],
    members: {
      bucket: { shape: 'NucleonBucketName' },
      key: { shape: 'NucleonObjectKey' },
      content: { shape: 'NucleonBase64' },
    },
  },
  PutBundleOutput: {
    type: 'structure',
    required: ['s3', 'sha256', 'size'],
    members: {
      s3: { shape: 'S3ObjectSource' },
      sha256: { shape: 'NucleonSha256' },
      size: { shape: 'NucleonSize' },
    },
  },
  ...accessShapes,
  ...rolloutShapes,
  ...importShapes,
  ...careShapes,
};

const keyErrors = [
  'ValidationException',
  'AccessDeniedException',
  'ResourceNotFoundException',
  'InternalServerException',
];

export const extensionOperations = {
  CreateAccessKey: {
    input: 'CreateAccessKeyInput',
    output: 'CreateAccessKeyOutput',
    errors: keyErrors,
    idempotent: false,
  },
  ListAccessKeys: {
    input: 'ListAccessKeysInput',
    output: 'ListAccessKeysOutput',
    errors: keyErrors,
    idempotent: false,
  },
  DeleteAccessKey: {
    input: 'DeleteAccessKeyInput',
    output: 'DeleteAccessKeyOutput',
    errors: keyErrors,
    idempotent: true,
  },
  GetDeploymentDetails: {
    input: 'GetDeploymentDetailsInput',
    output: 'GetDeploymentDetailsOutput',
    errors: keyErrors,
    idempotent: false,
  },
  SetRepositoryRemote: {
    input: 'SetRepositoryRemoteInput',
    output: 'SetRepositoryRemoteOutput',
    errors: keyErrors,
    idempotent: true,
  },
  SetRepositoryWebhook: {
    input: 'SetRepositoryWebhookInput',
    output: 'SetRepositoryWebhookOutput',
    errors: keyErrors,
    idempotent: true,
  },
  GetRepositoryWebhook: {
    input: 'GetRepositoryWebhookInput',
    output: 'GetRepositoryWebhookOutput',
    errors: keyErrors,
    idempotent: true,
  },
  PutBundle: {
    input: 'PutBundleInput',
    output: 'PutBundleOutput',
    errors: ['ValidationException', 'AccessDeniedException', 'InternalServerException'],
    idempotent: true,
  },
  ...accessOperations,
  ...rolloutOperations,
  ...importOperations,
  ...careOperations,
} as const satisfies Record<string, ModelOperation>;

export type ExtensionOperationName = keyof typeof extensionOperations;

export interface PutBundleInput {
  bucket?: string;
  key: string;
  content: string;
}
export interface PutBundleOutput {
  s3: { bucket: string; key: string };
  sha256: string;
  size: number;
}

export interface NucleonAccessKey {
  accessKeyId: string;
  secretAccessKey?: string;
  description?: string;
  root?: boolean;
  createdAt: Date;
  /** The user the key belongs to. */
  userName?: string;
  /** The key's effective role (its own, else its user's, else admin). */
  role?: 'admin' | 'platform' | 'developer' | 'read-only';
  /** The account the key acts in (ADR 0018). */
  accountId?: string;
}
