import { Router, type Request, type Response } from 'express'
import { createTokenBodySchema, loginBodySchema, type Me } from '@carbon-sync/shared'
import { institutionName } from '../../db/scoped/institution.ts'
import {
  createApiToken,
  listTokens,
  login,
  logout,
  revokeToken,
  scopeOfUser,
} from '../../domain/auth/auth-service.ts'
import type { Scope } from '../../domain/auth/scope.ts'
import type { AppContext } from '../context.ts'
import { authenticate, csrfGuard, scopeOf, sessionCookie } from '../middleware/authenticate.ts'
import { methodNotAllowed } from '../middleware/errors.ts'
import { parse, pathId } from '../validate.ts'

export function meOf(scope: Scope, institutionName: string): Me {
  return {
    id: scope.userId,
    email: scope.email,
    displayName: scope.displayName,
    role: scope.role,
    permissions: [...scope.permissions],
    institution: { id: scope.institutionId, name: institutionName },
    unitId: scope.unitId,
  }
}

export function authRoutes(ctx: AppContext): Router {
  const router = Router()
  const db = ctx.database.db
  const cookieOptions = (req: Request) => ({
    httpOnly: true,
    sameSite: 'strict' as const,
    secure: req.secure,
    path: '/',
  })

  router
    .route('/auth/login')
    .post(async (req, res) => {
      const body = parse(loginBodySchema, req.body, 'sign-in')
      const { token, user } = await login(db, ctx.config, body.email, body.password)
      res.cookie(sessionCookie, token, {
        ...cookieOptions(req),
        maxAge: ctx.config.SESSION_TTL_HOURS * 3600 * 1000,
      })
      res.json(meOf(scopeOfUser(user), user.institution_name))
    })
    .all(methodNotAllowed(['POST']))

  const signedIn = [authenticate(ctx), csrfGuard]
  router
    .route('/auth/logout')
    .post(...signedIn, async (req: Request, res: Response) => {
      if (res.locals.sessionToken) await logout(db, res.locals.sessionToken)
      res.clearCookie(sessionCookie, cookieOptions(req))
      res.status(204).end()
    })
    .all(methodNotAllowed(['POST']))

  router
    .route('/auth/me')
    .get(...signedIn, async (_req: Request, res: Response) => {
      const scope = scopeOf(res)
      res.json(meOf(scope, await institutionName(db, scope)))
    })
    .all(methodNotAllowed(['GET']))

  router
    .route('/auth/tokens')
    .get(...signedIn, async (_req: Request, res: Response) => {
      res.json({ tokens: await listTokens(db, scopeOf(res)) })
    })
    .post(...signedIn, async (req: Request, res: Response) => {
      const body = parse(createTokenBodySchema, req.body, 'token')
      res.status(201).json(await createApiToken(db, scopeOf(res), body.name))
    })
    .all(methodNotAllowed(['GET', 'POST']))

  router
    .route('/auth/tokens/:id')
    .delete(...signedIn, async (req: Request, res: Response) => {
      const id = pathId(req, 'token id')
      await revokeToken(db, scopeOf(res), id)
      res.status(204).end()
    })
    .all(methodNotAllowed(['DELETE']))
  return router
}
