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
