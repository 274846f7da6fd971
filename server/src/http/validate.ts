import type { Request } from 'express'
import type { z } from 'zod'
import { idParamSchema, maxDatabaseId } from '@carbon-sync/shared'
import { NotFound, ValidationFailed } from '../domain/errors.ts'

/** Parses input with a zod schema; a failure is a 400 naming each bad field. */
export function parse<S extends z.ZodType>(
  schema: S,
  input: unknown,
  what = 'request',
): z.infer<S> {
  const result = schema.safeParse(input)
  if (result.success) return result.data
  const fields = result.error.issues.map((i) => ({
    field: i.path.join('.') || what,
    message: i.message,
  }))
  throw new ValidationFailed(
    `Invalid ${what}: ${fields.map((f) => `${f.field}: ${f.message}`).join('; ')}`,
    { fields },
  )
}

/** The `:id` of the path, as `what` ("pipeline id"): 400 if malformed, 404 if no row can have it. */
export function pathId(req: Request, what: string): number {
  const { id } = parse(idParamSchema, req.params, what)
  if (id > maxDatabaseId) throw new NotFound(`No ${what.replace(/ id$/, '')} ${id}`)
  return id
}
