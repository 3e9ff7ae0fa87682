/**
 * `@nucleon/server/proton-estate`: discovery of what AWS Proton left behind, shared by the CLI
 * (`nucleon import proton`, with the user's AWS credentials) and the server
 * (`DiscoverProtonResources`, the console's import wizard). Loads none of the server itself.
 */
export type {
  DiscoveredFolder,
  DiscoveredKind,
  DiscoveredStack,
  EstateScope,
  ProvisioningRepository,
} from './ports/proton-estate.js';
export {
  PROTON_TAGS,
  classifyStack,
  discoverStacks,
  sortStacks,
  stackTemplate,
  templateOfArn,
} from './adapters/proton-estate/proton-stack-discovery.js';
export { AwsScopes, scopesOf } from './adapters/proton-estate/aws-scopes.js';
export type { AwsScope } from './adapters/proton-estate/aws-scopes.js';
export {
  Checkouts,
  cloneRepository,
  discoverFolders,
  discoverRepository,
  parseRepository,
  readFolderFiles,
} from './adapters/proton-estate/proton-repository-discovery.js';
export { starterFolderSpecs, starterSpecs } from './app/adopt/proton-starter-specs.js';
export type { ImportKind, ImportSpecFile } from './app/adopt/proton-starter-specs.js';
export {
  inputTypesOfSchema,
  inputsFromParameters,
  templateKey,
} from './app/adopt/proton-input-inference.js';
export type {
  InputTypes,
  TemplateInputTypes,
  TemplateOf,
} from './app/adopt/proton-input-inference.js';
