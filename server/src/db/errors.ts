const transientCodes = new Set([
  '40001',
  '40P01',
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
])
const transientErrnos = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'CONNECTION_CLOSED',
  'CONNECT_TIMEOUT',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
])

/**
 * A database error worth another attempt: lost or refused connection, server shutting down,
 * deadlock, serialization failure. drizzle wraps driver errors, so causes are searched too.
 */
export function isTransientError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string' && (transientCodes.has(code) || transientErrnos.has(code)))
      return true
    e = (e as { cause?: unknown }).cause
  }
  return false
}

/**
 * What a user may read of an error that ended a job: drizzle wraps driver errors in "Failed
 * query: <statement> params: <values>", which would put SQL and row values in the job's
 * status message. A database error is told by its own message and SQLSTATE; others by theirs.
 */
export function publicMessageOf(error: unknown): string {
  for (let e: unknown = error, depth = 0; e && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code
    const message = (e as { message?: unknown }).message
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && typeof message === 'string') {
      const constraint = constraintOf(e)
      return (constraint && constraintMessages[constraint]) ?? `database error ${code}: ${message}`
    }
    e = (e as { cause?: unknown }).cause
  }
  const message = error instanceof Error ? error.message : String(error)
  return message.startsWith('Failed query:') ? 'a database statement failed' : message
}

/** What a person should read when a job fails on one of these constraints. */
const constraintMessages: Record<string, string> = {
  data_entries_unique_member_excl:
    'Another upload of this module and year stored some of the same user_institutional_id values ' +
    'at the same time. Nothing of this file was stored: upload it again to see which rows collide.',
}

/** The constraint a database error names (postgres.js: constraint_name; PGlite: constraint). */
function constraintOf(e: unknown): string | undefined {
  const c = e as { constraint_name?: unknown; constraint?: unknown }
  const name = c.constraint_name ?? c.constraint
  return typeof name === 'string' ? name : undefined
}
