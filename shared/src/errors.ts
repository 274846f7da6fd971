import { z } from 'zod'

/** Error codes of the JSON error shape `{ error: { code, message, details } }`. */
export const errorCodes = [
  'bad_request',
  'validation_failed',
  'unauthorized',
  'forbidden',
  'permission_denied',
  'not_found',
  'method_not_allowed',
  'conflict',
  'payload_too_large',
  'unsupported_media_type',
  'unprocessable_file',
  'service_unavailable',
  'internal',
] as const
export type ErrorCode = (typeof errorCodes)[number]

export const errorBodySchema = z.object({
  error: z.object({
    /** Machine-readable code. */
    code: z.enum(errorCodes),
    /** What went wrong, for a person. */
    message: z.string(),
    /** Structured reasons (fields, rows, limits), when there are any. */
    details: z.unknown().optional(),
  }),
})
export type ErrorBody = z.infer<typeof errorBodySchema>
