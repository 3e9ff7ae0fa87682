import type { ModelOperation, ModelShape } from './model-types.js';

/**
 * Fleet operations (Nucleon20261127.*): rollouts of a service template version across service
 * instances in waves, with automatic rollback (ADR 0019).
 */
export const rolloutShapes: Readonly<Record<string, ModelShape>> = {
  NucleonRolloutId: { type: 'string', min: 1, max: 64 },
  NucleonInteger: { type: 'integer' },
  NucleonNameList: { type: 'list', member: 'NucleonString' },
  NucleonNameListList: { type: 'list', member: 'NucleonNameList' },
  NucleonIntegerList: { type: 'list', member: 'NucleonInteger' },
  NucleonRolloutStatus: {
    type: 'string',
    enum: ['IN_PROGRESS', 'PAUSED', 'SUCCEEDED', 'FAILED', 'ROLLED_BACK', 'ABORTED'],
  },
  NucleonRollbackScope: { type: 'string', enum: ['WAVE', 'ROLLOUT'] },
  NucleonRolloutSelector: {
    type: 'structure',
    members: {
      environments: { shape: 'NucleonNameList' },
      services: { shape: 'NucleonNameList' },
      instances: { shape: 'NucleonNameList' },
      tags: { shape: 'TagList' },
    },
  },
  NucleonRolloutInstance: {
    type: 'structure',
    required: ['serviceName', 'serviceInstanceName', 'environmentName', 'wave', 'state'],
    members: {
      serviceName: { shape: 'NucleonString' },
      serviceInstanceName: { shape: 'NucleonString' },
      environmentName: { shape: 'NucleonString' },
      wave: { shape: 'NucleonInteger' },
      state: { shape: 'NucleonString' },
      previousVersion: { shape: 'NucleonString' },
      deploymentId: { shape: 'NucleonString' },
      rollbackDeploymentId: { shape: 'NucleonString' },
      deploymentStatus: { shape: 'NucleonString' },
      message: { shape: 'NucleonString' },
    },
  },
  NucleonRolloutInstanceList: { type: 'list', member: 'NucleonRolloutInstance' },
  NucleonRollout: {
    type: 'structure',
    required: ['rolloutId', 'templateName', 'targetMajorVersion', 'targetMinorVersion', 'status'],
    members: {
      rolloutId: { shape: 'NucleonRolloutId' },
      templateName: { shape: 'NucleonString' },
      targetMajorVersion: { shape: 'NucleonString' },
      targetMinorVersion: { shape: 'NucleonString' },
      status: { shape: 'NucleonRolloutStatus' },
      phase: { shape: 'NucleonString' },
      statusMessage: { shape: 'NucleonString' },
      currentWave: { shape: 'NucleonInteger' },
      waveCount: { shape: 'NucleonInteger' },
      bakeUntil: { shape: 'Timestamp' },
      maxInFlight: { shape: 'NucleonInteger' },
      bakeSeconds: { shape: 'NucleonInteger' },
      failureThreshold: { shape: 'NucleonInteger' },
      autoRollback: { shape: 'NucleonBoolean' },
      rollbackScope: { shape: 'NucleonRollbackScope' },
      healthCheckOutput: { shape: 'NucleonString' },
      previewHash: { shape: 'NucleonString' },
      description: { shape: 'NucleonString' },
      createdBy: { shape: 'NucleonString' },
      createdAt: { shape: 'Timestamp' },
      lastModifiedAt: { shape: 'Timestamp' },
      completedAt: { shape: 'Timestamp' },
      instances: { shape: 'NucleonRolloutInstanceList' },
    },
  },
  NucleonRolloutList: { type: 'list', member: 'NucleonRollout' },
  StartRolloutInput: {
    type: 'structure',
    required: ['templateName', 'targetMajorVersion', 'targetMinorVersion'],
    members: {
      templateName: { shape: 'ResourceName' },
      targetMajorVersion: { shape: 'TemplateVersionPart' },
      targetMinorVersion: { shape: 'TemplateVersionPart' },
      selector: { shape: 'NucleonRolloutSelector' },
      waves: { shape: 'NucleonInteger' },
      wavePercentages: { shape: 'NucleonIntegerList' },
      explicitWaves: { shape: 'NucleonNameListList' },
      environmentOrder: { shape: 'NucleonNameList' },
      maxInFlight: { shape: 'NucleonInteger' },
      bakeSeconds: { shape: 'NucleonInteger' },
      failureThreshold: { shape: 'NucleonInteger' },
      autoRollback: { shape: 'NucleonBoolean' },
      rollbackScope: { shape: 'NucleonRollbackScope' },
      healthCheckOutput: { shape: 'NucleonString' },
      previewHash: { shape: 'NucleonString' },
      description: { shape: 'NucleonText' },
      clientToken: { shape: 'NucleonString' },
    },
  },
  RolloutOutput: {
    type: 'structure',
    required: ['rollout'],
    members: { rollout: { shape: 'NucleonRollout' } },
  },
  RolloutIdInput: {
    type: 'structure',
    required: ['rolloutId'],
    members: { rolloutId: { shape: 'NucleonRolloutId' } },
  },
  ListRolloutsInput: {
    type: 'structure',
    members: {
      templateName: { shape: 'ResourceName' },
      status: { shape: 'NucleonRolloutStatus' },
    },
  },
  ListRolloutsOutput: {
    type: 'structure',
    required: ['rollouts'],
    members: { rollouts: { shape: 'NucleonRolloutList' } },
  },
};

const errors = [
  'ValidationException',
  'ConflictException',
  'AccessDeniedException',
  'ResourceNotFoundException',
  'InternalServerException',
];

export const rolloutOperations = {
  StartRollout: { input: 'StartRolloutInput', output: 'RolloutOutput', errors, idempotent: false },
  GetRollout: { input: 'RolloutIdInput', output: 'RolloutOutput', errors, idempotent: false },
  ListRollouts: {
    input: 'ListRolloutsInput',
    output: 'ListRolloutsOutput',
    errors,
    idempotent: false,
  },
  PauseRollout: { input: 'RolloutIdInput', output: 'RolloutOutput', errors, idempotent: false },
  ResumeRollout: { input: 'RolloutIdInput', output: 'RolloutOutput', errors, idempotent: false },
  AbortRollout: { input: 'RolloutIdInput', output: 'RolloutOutput', errors, idempotent: false },
} as const satisfies Record<string, ModelOperation>;
