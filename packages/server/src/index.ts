export { createNucleon } from './main/create-nucleon.js';
export type { Nucleon, CreateNucleonOptions } from './main/create-nucleon.js';
export { loadConfig, redactConfig, envNames, ConfigError } from './main/config.js';
export type { NucleonConfig } from './main/config.js';
export { DataDirLockedError } from './adapters/data-dir-lock.js';
export { MasterKeyMismatchError, RolesNeedPostgresError } from './main/roles.js';
export type { NucleonRole } from './main/roles.js';
export { openDatabase, migrateToLatest, migrateDownAll } from './adapters/db/database.js';
export type { DatabaseHandle } from './adapters/db/database.js';
