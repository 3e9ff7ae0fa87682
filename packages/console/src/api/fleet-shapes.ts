import type { Tag } from '@nucleon/protocol';

/** Which instances a preview or rollout takes; every given criterion must match (ADR 0019). */
export interface FleetSelector {
  environments?: string[];
  services?: string[];
  /** `service/instance` names. */
  instances?: string[];
  tags?: Tag[];
}

export interface PreviewFile {
  path: string;
  /** ADDED, REMOVED, MODIFIED or UNCHANGED. */
  change: string;
  before?: string;
  after?: string;
  diff?: string;
}

export interface StackChange {
  action: string;
  logicalResourceId: string;
  physicalResourceId?: string;
  resourceType: string;
  replacement?: string;
  stateful?: boolean;
  destroysData?: boolean;
}

export interface ChangeSet {
  status: string;
  statusReason?: string;
  changes: StackChange[];
  summary?: { adds?: number; modifications?: number; removals?: number; replacements?: number };
  statefulReplacements?: string[];
}

export interface PreviewResource {
  serviceName: string;
  serviceInstanceName: string;
  environmentName: string;
  currentVersion?: string;
  targetVersion?: string;
  engine?: string;
  files?: PreviewFile[];
  inputChanges?: Array<{ name: string; before?: string; after?: string }>;
  changeSet?: ChangeSet;
  changeSetNote?: string;
  error?: string;
}

/** Which kind of template a rollout moves: its service instances, or its environments. */
export type FleetTemplateType = 'SERVICE' | 'ENVIRONMENT';

export interface PreviewRolloutInput {
  templateName: string;
  templateType?: FleetTemplateType;
  targetMajorVersion: string;
  targetMinorVersion: string;
  selector?: FleetSelector;
  changeSets?: boolean;
}

export interface PreviewRolloutOutput {
  previewHash: string;
  templateName: string;
  targetMajorVersion: string;
  targetMinorVersion: string;
  resources: PreviewResource[];
}

export interface StartRolloutInput {
  templateName: string;
  templateType?: FleetTemplateType;
  targetMajorVersion: string;
  targetMinorVersion: string;
  selector?: FleetSelector;
  waves?: number;
  maxInFlight?: number;
  bakeSeconds?: number;
  failureThreshold?: number;
  autoRollback?: boolean;
  previewHash?: string;
  description?: string;
}

export interface DriftEntry {
  kind: string;
  name: string;
  serviceName?: string;
  environmentName?: string;
  templateName?: string;
  version?: string;
  engine?: string;
  /** Drifted now and not accepted. */
  drifted: boolean;
  status?: 'IN_SYNC' | 'DRIFTED' | 'ACCEPTED' | 'NOT_CHECKED';
  /** sha256 over the observed drift, named when accepting it. */
  driftFingerprint?: string;
  acceptance?: { driftFingerprint: string; acceptedBy: string; acceptedAt: Date };
  note?: string;
  renderedChanges?: Array<{ path: string; diff?: string }>;
  stack?: {
    stackName?: string;
    note?: string;
    templateDiff?: string;
    detection?: {
      stackDriftStatus?: string;
      resources?: Array<{
        logicalResourceId?: string;
        resourceType?: string;
        driftStatus?: string;
      }>;
    };
    detectionNote?: string;
  };
  actions?: string[];
}

export interface DriftReport {
  resources: DriftEntry[];
  /** Set when the report is the stored scheduled one. */
  checkedAt?: Date;
  lastScheduledCheck?: { checkedAt: Date; resourceCount: number; driftedCount: number };
}

export interface VersionCurrencyRow {
  /** ENVIRONMENT or SERVICE. */
  templateKind: string;
  templateName: string;
  resourceKind: string;
  version: string;
  count: number;
  recommendedVersion?: string;
  /** UP_TO_DATE, MINOR or MAJOR. */
  behind: string;
  minorsBehind: number;
  majorsBehind: number;
  behindSince?: Date;
}

/** The fleet extension operations the console calls (ADR 0019, 0023). */
export interface FleetShapes {
  PreviewRollout: { input: PreviewRolloutInput; output: PreviewRolloutOutput };
  StartRollout: {
    input: StartRolloutInput;
    output: { rollout: { rolloutId: string; status: string } };
  };
  GetDriftReport: {
    input: {
      templateName?: string;
      environmentName?: string;
      detectStackDrift?: boolean;
      lastScheduled?: boolean;
    };
    output: DriftReport;
  };
  AcceptDrift: {
    input: {
      environmentName?: string;
      serviceName?: string;
      serviceInstanceName?: string;
      driftFingerprint: string;
    };
    output: { resource: DriftEntry };
  };
  GetVersionCurrency: {
    input: { templateName?: string };
    output: { versions: VersionCurrencyRow[] };
  };
}
