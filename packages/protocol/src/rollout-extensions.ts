import type { ModelOperation, ModelShape } from './model-types.js';
import { eventOperations, eventShapes } from './event-extensions.js';

/**
 * Fleet operations (Nucleon20261127.*): rollouts of a service template version across service
 * instances, or of an environment template version across environments, in waves, with
 * automatic rollback (ADR 0019).
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
      templateType: { shape: 'TemplateType' },
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
      /** Needed only when a service and an environment template share the name. */
      templateType: { shape: 'TemplateType' },
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
  NucleonPreviewFile: {
    type: 'structure',
    required: ['path', 'change'],
    members: {
      path: { shape: 'NucleonString' },
      change: { shape: 'NucleonString' },
      before: { shape: 'NucleonString' },
      after: { shape: 'NucleonString' },
      diff: { shape: 'NucleonString' },
    },
  },
  NucleonPreviewFileList: { type: 'list', member: 'NucleonPreviewFile' },
  NucleonInputChange: {
    type: 'structure',
    required: ['name'],
    members: {
      name: { shape: 'NucleonString' },
      before: { shape: 'NucleonString' },
      after: { shape: 'NucleonString' },
    },
  },
  NucleonInputChangeList: { type: 'list', member: 'NucleonInputChange' },
  NucleonStackChange: {
    type: 'structure',
    required: ['action', 'logicalResourceId', 'resourceType'],
    members: {
      action: { shape: 'NucleonString' },
      logicalResourceId: { shape: 'NucleonString' },
      physicalResourceId: { shape: 'NucleonString' },
      resourceType: { shape: 'NucleonString' },
      replacement: { shape: 'NucleonString' },
      stateful: { shape: 'NucleonBoolean' },
      destroysData: { shape: 'NucleonBoolean' },
    },
  },
  NucleonStackChangeList: { type: 'list', member: 'NucleonStackChange' },
  NucleonStackChangeSummary: {
    type: 'structure',
    members: {
      adds: { shape: 'NucleonInteger' },
      modifications: { shape: 'NucleonInteger' },
      removals: { shape: 'NucleonInteger' },
      replacements: { shape: 'NucleonInteger' },
    },
  },
  NucleonChangeSet: {
    type: 'structure',
    required: ['status', 'changes'],
    members: {
      status: { shape: 'NucleonString' },
      statusReason: { shape: 'NucleonString' },
      changes: { shape: 'NucleonStackChangeList' },
      summary: { shape: 'NucleonStackChangeSummary' },
      statefulReplacements: { shape: 'NucleonNameList' },
    },
  },
  NucleonPreviewResource: {
    type: 'structure',
    required: ['serviceName', 'serviceInstanceName', 'environmentName'],
    members: {
      serviceName: { shape: 'NucleonString' },
      serviceInstanceName: { shape: 'NucleonString' },
      environmentName: { shape: 'NucleonString' },
      currentVersion: { shape: 'NucleonString' },
      targetVersion: { shape: 'NucleonString' },
      engine: { shape: 'NucleonString' },
      files: { shape: 'NucleonPreviewFileList' },
      inputChanges: { shape: 'NucleonInputChangeList' },
      changeSet: { shape: 'NucleonChangeSet' },
      changeSetNote: { shape: 'NucleonString' },
      error: { shape: 'NucleonString' },
    },
  },
  NucleonPreviewResourceList: { type: 'list', member: 'NucleonPreviewResource' },
  PreviewRolloutInput: {
    type: 'structure',
    required: ['templateName', 'targetMajorVersion', 'targetMinorVersion'],
    members: {
      templateName: { shape: 'ResourceName' },
      /** Needed only when a service and an environment template share the name. */
      templateType: { shape: 'TemplateType' },
      targetMajorVersion: { shape: 'TemplateVersionPart' },
      targetMinorVersion: { shape: 'TemplateVersionPart' },
      selector: { shape: 'NucleonRolloutSelector' },
      changeSets: { shape: 'NucleonBoolean' },
    },
  },
  PreviewRolloutOutput: {
    type: 'structure',
    required: [
      'previewHash',
      'templateName',
      'targetMajorVersion',
      'targetMinorVersion',
      'resources',
    ],
    members: {
      previewHash: { shape: 'NucleonString' },
      templateName: { shape: 'NucleonString' },
      templateType: { shape: 'TemplateType' },
      targetMajorVersion: { shape: 'NucleonString' },
      targetMinorVersion: { shape: 'NucleonString' },
      resources: { shape: 'NucleonPreviewResourceList' },
    },
  },
  NucleonRenderedChange: {
    type: 'structure',
    required: ['path'],
    members: { path: { shape: 'NucleonString' }, diff: { shape: 'NucleonString' } },
  },
  NucleonRenderedChangeList: { type: 'list', member: 'NucleonRenderedChange' },
  NucleonResourceDrift: {
    type: 'structure',
    members: {
      logicalResourceId: { shape: 'NucleonString' },
      resourceType: { shape: 'NucleonString' },
      driftStatus: { shape: 'NucleonString' },
    },
  },
  NucleonResourceDriftList: { type: 'list', member: 'NucleonResourceDrift' },
  NucleonDriftDetection: {
    type: 'structure',
    members: {
      stackDriftStatus: { shape: 'NucleonString' },
      resources: { shape: 'NucleonResourceDriftList' },
    },
  },
  NucleonStackDrift: {
    type: 'structure',
    members: {
      stackName: { shape: 'NucleonString' },
      note: { shape: 'NucleonString' },
      templateDiff: { shape: 'NucleonString' },
      detection: { shape: 'NucleonDriftDetection' },
      detectionNote: { shape: 'NucleonString' },
    },
  },
  /** A codebuild template's `drift` commands: exit 0 in sync, non-zero drifted (ADR 0023). */
  NucleonDriftCommand: {
    type: 'structure',
    required: ['status', 'message'],
    members: {
      status: { shape: 'NucleonDriftCommandStatus' },
      exitCode: { shape: 'NucleonInteger' },
      message: { shape: 'NucleonString' },
      output: { shape: 'NucleonString' },
    },
  },
  NucleonDriftCommandStatus: { type: 'string', enum: ['IN_SYNC', 'DRIFTED', 'NOT_CHECKED'] },
  NucleonDriftReportEntry: {
    type: 'structure',
    required: ['kind', 'name', 'drifted'],
    members: {
      kind: { shape: 'NucleonString' },
      name: { shape: 'NucleonString' },
      serviceName: { shape: 'NucleonString' },
      environmentName: { shape: 'NucleonString' },
      templateName: { shape: 'NucleonString' },
      version: { shape: 'NucleonString' },
      engine: { shape: 'NucleonString' },
      /** Drifted now, not accepted; false for ACCEPTED drift. */
      drifted: { shape: 'NucleonBoolean' },
      status: { shape: 'NucleonDriftStatus' },
      /** sha256 over the observed drift; AcceptDrift names it (ADR 0023). */
      driftFingerprint: { shape: 'NucleonString' },
      acceptance: { shape: 'NucleonDriftAcceptance' },
      note: { shape: 'NucleonString' },
      renderedChanges: { shape: 'NucleonRenderedChangeList' },
      stack: { shape: 'NucleonStackDrift' },
      driftCommand: { shape: 'NucleonDriftCommand' },
      actions: { shape: 'NucleonNameList' },
    },
  },
  NucleonDriftReportList: { type: 'list', member: 'NucleonDriftReportEntry' },
  NucleonDriftStatus: {
    type: 'string',
    enum: ['IN_SYNC', 'DRIFTED', 'ACCEPTED', 'NOT_CHECKED'],
  },
  NucleonDriftAcceptance: {
    type: 'structure',
    required: ['driftFingerprint', 'acceptedBy', 'acceptedAt'],
    members: {
      driftFingerprint: { shape: 'NucleonString' },
      acceptedBy: { shape: 'NucleonString' },
      acceptedAt: { shape: 'Timestamp' },
    },
  },
  /** An environment, or a service instance (serviceName and serviceInstanceName). */
  AcceptDriftInput: {
    type: 'structure',
    required: ['driftFingerprint'],
    members: {
      environmentName: { shape: 'ResourceName' },
      serviceName: { shape: 'ResourceName' },
      serviceInstanceName: { shape: 'ResourceName' },
      driftFingerprint: { shape: 'NucleonString' },
    },
  },
  AcceptDriftOutput: {
    type: 'structure',
    required: ['resource'],
    members: { resource: { shape: 'NucleonDriftReportEntry' } },
  },
  GetDriftReportInput: {
    type: 'structure',
    members: {
      templateName: { shape: 'ResourceName' },
      environmentName: { shape: 'ResourceName' },
      detectStackDrift: { shape: 'NucleonBoolean' },
      /** The last scheduled check's stored report instead of a check now (ADR 0023). */
      lastScheduled: { shape: 'NucleonBoolean' },
    },
  },
  NucleonScheduledDriftCheck: {
    type: 'structure',
    required: ['checkedAt', 'resourceCount', 'driftedCount'],
    members: {
      checkedAt: { shape: 'Timestamp' },
      resourceCount: { shape: 'NucleonInteger' },
      driftedCount: { shape: 'NucleonInteger' },
    },
  },
  GetDriftReportOutput: {
    type: 'structure',
    required: ['resources'],
    members: {
      resources: { shape: 'NucleonDriftReportList' },
      /** When the report is the scheduled one: when it was made. */
      checkedAt: { shape: 'Timestamp' },
      /** The last scheduled check, when one has run. */
      lastScheduledCheck: { shape: 'NucleonScheduledDriftCheck' },
    },
  },
  ...eventShapes,
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
  GetDriftReport: {
    input: 'GetDriftReportInput',
    output: 'GetDriftReportOutput',
    errors,
    idempotent: false,
  },
  AcceptDrift: {
    input: 'AcceptDriftInput',
    output: 'AcceptDriftOutput',
    errors,
    idempotent: false,
  },
  PreviewRollout: {
    input: 'PreviewRolloutInput',
    output: 'PreviewRolloutOutput',
    errors,
    idempotent: true,
  },
  ...eventOperations,
} as const satisfies Record<string, ModelOperation>;
