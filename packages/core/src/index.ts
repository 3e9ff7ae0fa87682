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
