export {
  NucleonError,
  ProtonErrorType,
  ValidationError,
  NotFoundError,
  ConflictError,
  AccessDeniedError,
  ServiceQuotaExceededError,
  ThrottlingError,
  coerceError,
} from './errors.js';
export type { Logger } from './logger.js';
export { silentLogger } from './logger.js';
export { protonArn, parseProtonArn } from './arn.js';
export type { ArnScope, ParsedArn } from './arn.js';
export { TemplateKind, templateResourceType } from './catalog/template-kind.js';
export {
  TemplateVersionStatus,
  nextVersionNumber,
  recommendedVersion,
  recommendedMinorVersion,
  parseVersionPart,
  statusTransitionError,
  versionInUseError,
} from './catalog/versions.js';
export type { VersionRef } from './catalog/versions.js';
export {
  DeploymentStatus,
  canTransition,
  deploymentSourcesOf,
  endStatus,
  idleStatuses,
  activeStatuses,
  isActive,
  isTerminal,
  finalStatus,
} from './deployments/deployment-status.js';
export {
  ServiceStatus,
  canServiceTransition,
  isServiceBusy,
  serviceSourcesOf,
  settledServiceStatuses,
} from './deployments/service-status.js';
export type { EngineOutcome } from './deployments/deployment-status.js';
export { resolveTargetVersion } from './deployments/resolve-target-version.js';
export type { DeploymentUpdateType, TargetVersion } from './deployments/resolve-target-version.js';
export { CURRENT_VAL, substituteCurrentValues } from './deployments/current-val.js';
export {
  ENGINE_NAME_MAX_LENGTH,
  OWNERSHIP_TAGS,
  engineResourceName,
  legacyEngineResourceName,
  provisioningFolder,
  stackOwnership,
} from './deployments/engine-names.js';
export type { EngineIdentity, StackOwnership } from './deployments/engine-names.js';
export {
  ROLES,
  AREAS,
  ALL_ACTIONS,
  isRole,
  roleAllows,
  actionsOf,
  isWrite,
} from './access/roles.js';
export type { Role, Area, Action } from './access/roles.js';
export { decide, matchesGlob } from './access/decide.js';
export type { Access, Decision, Grant, GrantKind, Need } from './access/decide.js';
export {
  ConnectionStatus,
  canConnectionTransition,
  connectionSourcesOf,
  isConnectionStatus,
} from './accounts/connection-status.js';
export { parseTemplateRegistration } from './sync/template-registration.js';
export type { TemplateRegistration } from './sync/template-registration.js';
export { parseProtonOps } from './sync/proton-ops.js';
export type { OpsInstance } from './sync/proton-ops.js';
export {
  RolloutStatus,
  RolloutPhase,
  RolloutInstanceState,
  rolloutSourcesOf,
  isRolloutTerminal,
} from './rollouts/rollout-status.js';
export { planWaves } from './rollouts/plan-waves.js';
export type { WaveStrategy, WaveCandidate, WavePlan } from './rollouts/plan-waves.js';
export { decideRolloutStep } from './rollouts/decide-rollout-step.js';
export type { RolloutStepInput, RolloutStep } from './rollouts/decide-rollout-step.js';
export { STATEFUL_RESOURCE_TYPES, assessStackChanges } from './rollouts/stack-changes.js';
export { versionCurrency } from './rollouts/version-currency.js';
export type {
  CurrencyRow,
  CurrencyResource,
  CurrencyVersion,
} from './rollouts/version-currency.js';
export type { StackChange, AssessedStackChanges } from './rollouts/stack-changes.js';
export {
  canonicalTemplate,
  compareStackTemplates,
  lineDiff,
  parseStackTemplate,
} from './adoption/compare-stack-templates.js';
