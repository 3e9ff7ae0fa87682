/**
 * Nucleon's closed error model. Each class maps to exactly one Proton API error type
 * (see server/src/http/error-mapper.ts). Any other error is internal.
 */
export abstract class NucleonError extends Error {
  abstract readonly protonType: ProtonErrorType;

  constructor(message: string, options?: { cause?: unknown }) {
    const cause = options?.cause;
    const causeText = cause instanceof Error ? `; caused by ${cause.name}: ${cause.message}` : '';
    super(message + causeText, options);
    this.name = new.target.name;
  }
}

export const ProtonErrorType = {
  ValidationException: 'ValidationException',
  AccessDeniedException: 'AccessDeniedException',
  ResourceNotFoundException: 'ResourceNotFoundException',
  ConflictException: 'ConflictException',
  ServiceQuotaExceededException: 'ServiceQuotaExceededException',
  ThrottlingException: 'ThrottlingException',
  InternalServerException: 'InternalServerException',
} as const;
export type ProtonErrorType = (typeof ProtonErrorType)[keyof typeof ProtonErrorType];

export class ValidationError extends NucleonError {
  readonly protonType = ProtonErrorType.ValidationException;
}
export class NotFoundError extends NucleonError {
  readonly protonType = ProtonErrorType.ResourceNotFoundException;
}
export class ConflictError extends NucleonError {
  readonly protonType = ProtonErrorType.ConflictException;
}
export class AccessDeniedError extends NucleonError {
  readonly protonType = ProtonErrorType.AccessDeniedException;
}
export class ServiceQuotaExceededError extends NucleonError {
  readonly protonType = ProtonErrorType.ServiceQuotaExceededException;
}
export class ThrottlingError extends NucleonError {
  readonly protonType = ProtonErrorType.ThrottlingException;
}

/** Turns anything thrown into an Error without losing its message. */
export function coerceError(value: unknown): Error {
  if (value instanceof Error) return value;
  if (typeof value === 'string') return new Error(value);
  try {
    return new Error(`non-error thrown: ${JSON.stringify(value)}`);
  } catch {
    return new Error('non-error thrown');
  }
}
