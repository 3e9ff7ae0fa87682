export {
  operations,
  operationNames,
  shapes,
  targetPrefix,
  signingName,
  errorHttpStatus,
} from './generated/model.js';
export type { OperationName } from './generated/model.js';
export type * from './generated/types.js';
export * as ProtonEnums from './generated/types.js';
export type { ModelShape, ModelOperation } from './model-types.js';
export { validateShape, formatViolations } from './validate-input.js';
export type { InputViolation } from './validate-input.js';
export { serializeShape, deserializeShape } from './serialize-output.js';
export { checkOutputShape } from './check-output.js';
export { ProtonClient, ProtonApiError } from './proton-client.js';
export type { ProtonClientOptions } from './proton-client.js';
export { extensionTargetPrefix, extensionShapes, extensionOperations } from './extensions.js';
export type {
  ExtensionOperationName,
  PutBundleInput,
  PutBundleOutput,
  NucleonAccessKey,
} from './extensions.js';
export type {
  AccessShapes,
  CallerAccessOutput,
  ListAuditEventsInput,
  NucleonAuditEvent,
  NucleonGrant,
  NucleonRole,
  NucleonUser,
} from './access-extensions.js';
export type {
  DiscoverProtonResourcesInput,
  DiscoverProtonResourcesOutput,
  NucleonImportFolder,
  NucleonImportInventoryItem,
  NucleonImportResult,
  NucleonImportStack,
  ProtonImportRequest,
} from './import-extensions.js';
export type { ExportBackupOutput } from './care-extensions.js';
