import { createHash, randomBytes } from 'node:crypto'
import type { Config } from '../../config.ts'
import type { Db } from '../../db/client.ts'
import {
  deleteSession,
  findSessionUser,
  findTokenUser,
  findUserByEmail,
  insertApiToken,
  insertSession,
  listApiTokens,
  revokeApiToken,
  type UserRow,
} from '../../db/queries/auth.ts'
import { NotFound, Unauthorized } from '../errors.ts'
import { hashPassword, unusableHash, verifyPassword } from './passwords.ts'
import { makeScope, type Scope } from './scope.ts'

/**
 * Sign-in and credentials (SPEC §2). Session cookies and API tokens are random secrets shown
 * to the client once; only their sha256 is stored, so a database dump grants no access.
 */
export const tokenPrefix = 'cs_'

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

function secret(): string {
  return randomBytes(32).toString('base64url')
}

export function scopeOfUser(user: UserRow): Scope {
  return makeScope({
    userId: user.id,
    institutionId: user.institution_id,
    unitId: user.unit_id,
    role: user.role,
    displayName: user.display_name,
    email: user.email,
  })
}

export async function login(
  db: Db,
  config: Config,
  email: string,
  password: string,
): Promise<{ token: string; user: UserRow }> {
  const user = await findUserByEmail(db, email)
  const ok = await verifyPassword(password, user?.password_hash ?? unusableHash)
  if (!user || !ok) throw new Unauthorized('Wrong email or password')
  const token = secret()
  await insertSession(db, sha256(token), user.id, config.SESSION_TTL_HOURS)
  return { token, user }
}

export async function logout(db: Db, token: string): Promise<void> {
  await deleteSession(db, sha256(token))
}

export async function userOfSession(db: Db, token: string): Promise<UserRow | undefined> {
  return findSessionUser(db, sha256(token))
}

export async function userOfToken(db: Db, token: string): Promise<UserRow | undefined> {
  if (!token.startsWith(tokenPrefix)) return undefined
  return findTokenUser(db, sha256(token))
}

export async function createApiToken(db: Db, scope: Scope, name: string) {
  const token = `${tokenPrefix}${secret()}`
  const row = await insertApiToken(db, scope.userId, name, sha256(token))
  return { id: row.id, name, token, createdAt: row.created_at }
}

export async function listTokens(db: Db, scope: Scope) {
  return listApiTokens(db, scope.userId)
}

export async function revokeToken(db: Db, scope: Scope, id: number): Promise<void> {
  if (!(await revokeApiToken(db, scope.userId, id)))
    throw new NotFound(`Token ${id} does not exist`)
}

export { hashPassword }
