import type { NextFunction, Request, Response } from 'express'
import {
  AppError,
  MethodNotAllowed,
  NotFound,
  PayloadTooLarge,
  ServiceUnavailable,
  ValidationFailed,
} from '../../domain/errors.ts'
import { isTransientError } from '../../db/errors.ts'
import type { Logger } from '../../log.ts'

/** Unknown routes under the API: the JSON 404. */
export function notFound(req: Request) {
  throw new NotFound(`No route ${req.method} ${req.originalUrl.split('?')[0]}`)
}

/** For a known path with a method it does not serve. */
export function methodNotAllowed(allowed: readonly string[]) {
  return (req: Request, res: Response) => {
    res.setHeader('Allow', allowed.join(', '))
    throw new MethodNotAllowed(
      `${req.method} is not allowed on ${req.originalUrl.split('?')[0]}; use ${allowed.join(' or ')}`,
    )
  }
}

/** Renders every error as `{ error: { code, message, details } }` (SPEC §6). */
export function errorHandler(log: Logger) {
  return (error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const known = toAppError(error)
    if (!known) log.error('unhandled error', { method: req.method, path: req.path, error })
    const e =
      known ?? new AppError('internal', 500, 'Something went wrong on our side; it has been logged')
    if (res.headersSent) {
      res.end()
      return
    }
    res.status(e.status).json({
      error: {
        code: e.code,
        message: e.message,
        ...(e.details === undefined ? {} : { details: e.details }),
      },
    })
  }
}

function toAppError(error: unknown): AppError | undefined {
  if (error instanceof AppError) return error
  const e = error as { type?: string; status?: number; message?: string; limit?: number }
  if (e?.type === 'entity.parse.failed')
    return new ValidationFailed('The request body is not valid JSON')
  if (e?.type === 'entity.too.large')
    return new PayloadTooLarge(`The request body is larger than ${e.limit} bytes`)
  if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported')
    return new ValidationFailed(e.message ?? 'Unsupported encoding')
  if (isTransientError(error))
    return new ServiceUnavailable('The database is not reachable right now; try again shortly')
  return undefined
}
