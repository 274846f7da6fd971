import type { ErrorCode } from '@carbon-sync/shared'

/**
 * Errors that reach the caller. Each is a small named class made by one factory, with its
 * code and HTTP status; the error middleware renders them as `{ error: { code, message, details } }`.
 */
export class AppError extends Error {
  readonly code: ErrorCode
  readonly status: number
  readonly details: unknown
  constructor(code: ErrorCode, status: number, message: string, details?: unknown) {
    super(message)
    this.code = code
    this.status = status
    this.details = details
  }
}

function appError(name: string, code: ErrorCode, status: number, fallback: string) {
  const cls = class extends AppError {
    constructor(message: string = fallback, details?: unknown) {
      super(code, status, message, details)
    }
  }
  Object.defineProperty(cls, 'name', { value: name })
  return cls
}

export const BadRequest = appError('BadRequest', 'bad_request', 400, 'Bad request')
export const ValidationFailed = appError(
  'ValidationFailed',
  'validation_failed',
  400,
  'Invalid request',
)
export const Unauthorized = appError('Unauthorized', 'unauthorized', 401, 'Sign in first')
export const Forbidden = appError(
  'Forbidden',
  'forbidden',
  403,
  'This belongs to another institution',
)
export const PermissionDenied = appError(
  'PermissionDenied',
  'permission_denied',
  403,
  'Your role does not allow this',
)
export const NotFound = appError('NotFound', 'not_found', 404, 'Not found')
export const MethodNotAllowed = appError(
  'MethodNotAllowed',
  'method_not_allowed',
  405,
  'Method not allowed',
)
export const Conflict = appError('Conflict', 'conflict', 409, 'Conflict')
export const PayloadTooLarge = appError('PayloadTooLarge', 'payload_too_large', 413, 'Too large')
export const UnsupportedMediaType = appError(
  'UnsupportedMediaType',
  'unsupported_media_type',
  415,
  'Unsupported media type',
)
export const UnprocessableFile = appError(
  'UnprocessableFile',
  'unprocessable_file',
  422,
  'The file cannot be read',
)
export const ServiceUnavailable = appError(
  'ServiceUnavailable',
  'service_unavailable',
  503,
  'Service unavailable',
)
