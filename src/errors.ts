export type ErrorCode = 'not_found' | 'invalid_transition' | 'validation_failed' | 'forbidden' | 'conflict' | 'too_large' | 'rate_limited';

/** The one error the domain raises. The HTTP and SMTP edges map `code` to their replies. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** The input field at fault, for validation errors. */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const notFound = (what: string) => new DomainError('not_found', `${what} not found`);
export const invalid = (field: string, message: string) => new DomainError('validation_failed', message, field);
