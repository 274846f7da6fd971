import type { NextFunction, Request, Response } from 'express'
import { scopeOfUser, userOfSession, userOfToken } from '../../domain/auth/auth-service.ts'
import { can, type Permission, type Scope } from '../../domain/auth/scope.ts'
import { PermissionDenied, Unauthorized } from '../../domain/errors.ts'
import type { AppContext } from '../context.ts'

export const sessionCookie = 'carbon_sync_session'
/** Header a cookie-authenticated mutation must carry: a cross-site form cannot set it (CSRF). */
export const csrfHeader = 'x-requested-with'
export const csrfValue = 'carbon-sync'

export type AuthMethod = 'cookie' | 'bearer' | 'query'

declare module 'express-serve-static-core' {
  interface Locals {
    scope?: Scope
    authMethod?: AuthMethod
    sessionToken?: string
  }
}

export function readCookie(req: Request, name: string): string | undefined {
  const header = req.headers.cookie
  if (!header) return undefined
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === name)
      return decodeURIComponent(part.slice(eq + 1).trim())
  }
  return undefined
}

/**
 * Works out who calls, once: a bearer API token, a `?token=` (EventSource cannot send headers;
 * streams only), or the session cookie. Sets a frozen scope; rejects bad credentials with 401.
 */
export function authenticate(ctx: AppContext, options: { allowQueryToken?: boolean } = {}) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const db = ctx.database.db
    const auth = req.headers.authorization
    if (auth) {
      const match = /^Bearer\s+(\S+)$/i.exec(auth)
      const user = match ? await userOfToken(db, match[1]!) : undefined
      if (!user) throw new Unauthorized('Invalid API token')
      res.locals.scope = scopeOfUser(user)
      res.locals.authMethod = 'bearer'
      return next()
    }
    const queryToken = typeof req.query['token'] === 'string' ? req.query['token'] : undefined
    if (queryToken && options.allowQueryToken) {
      const user = await userOfToken(db, queryToken)
      if (!user) throw new Unauthorized('Invalid API token')
      res.locals.scope = scopeOfUser(user)
      res.locals.authMethod = 'query'
      return next()
    }
    const token = readCookie(req, sessionCookie)
    if (token) {
      const user = await userOfSession(db, token)
      if (!user) throw new Unauthorized('Your session has expired; sign in again')
      res.locals.scope = scopeOfUser(user)
      res.locals.authMethod = 'cookie'
      res.locals.sessionToken = token
      return next()
    }
    throw new Unauthorized('Sign in first')
  }
}

/** CSRF guard: cookie-authenticated requests that change something must carry the header. */
export function csrfGuard(req: Request, res: Response, next: NextFunction) {
  const safe = req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS'
  if (!safe && res.locals.authMethod === 'cookie' && req.headers[csrfHeader] !== csrfValue) {
    throw new PermissionDenied(
      `Requests signed in with a cookie must send the header X-Requested-With: ${csrfValue}`,
    )
  }
  next()
}

export function requirePermission(permission: Permission) {
  return (_req: Request, res: Response, next: NextFunction) => {
    const scope = res.locals.scope
    if (!scope) throw new Unauthorized('Sign in first')
    if (!can(scope, permission))
      throw new PermissionDenied(
        `Your role (${scope.role}) does not allow this; it needs ${permission}`,
      )
    next()
  }
}

export function scopeOf(res: Response): Scope {
  const scope = res.locals.scope
  if (!scope) throw new Unauthorized('Sign in first')
  return scope
}
