import type { z } from 'zod'
import { ValidationFailed } from '../domain/errors.ts'

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
