import { sql } from 'drizzle-orm'
import { firstRow, rows, type Db } from '../client.ts'

export interface UserRow {
  id: number
  institution_id: number
  institution_name: string
  unit_id: number | null
  email: string
  display_name: string
  password_hash: string
  role: 'viewer' | 'data_manager' | 'admin'
}

const selectUser = sql`
  SELECT u.id, u.institution_id, i.name AS institution_name, u.unit_id, u.email, u.display_name, u.password_hash, u.role
  FROM users u JOIN institutions i ON i.id = u.institution_id`

export async function findUserByEmail(db: Db, email: string): Promise<UserRow | undefined> {
  return firstRow(db, sql`${selectUser} WHERE lower(u.email) = lower(${email})`)
}

export async function insertSession(
  db: Db,
  idHash: string,
  userId: number,
  ttlHours: number,
): Promise<void> {
  await rows(
    db,
    sql`INSERT INTO sessions (id, user_id, expires_at) VALUES (${idHash}, ${userId}, now() + make_interval(secs => ${ttlHours * 3600})) RETURNING id`,
  )
}

/** The user of a live session, or undefined if it does not exist or has expired. */
export async function findSessionUser(db: Db, idHash: string): Promise<UserRow | undefined> {
  return firstRow(
    db,
    sql`${selectUser} JOIN sessions s ON s.user_id = u.id WHERE s.id = ${idHash} AND s.expires_at > now()`,
  )
}

export async function deleteSession(db: Db, idHash: string): Promise<void> {
  await rows(db, sql`DELETE FROM sessions WHERE id = ${idHash} OR expires_at < now() RETURNING id`)
}

export async function insertApiToken(
  db: Db,
  userId: number,
  name: string,
  tokenHash: string,
): Promise<{ id: number; created_at: string }> {
  const row = await firstRow<{ id: number; created_at: string }>(
    db,
    sql`INSERT INTO api_tokens (user_id, name, token_hash) VALUES (${userId}, ${name}, ${tokenHash}) RETURNING id, created_at`,
  )
  return row!
}

/** The user of a token that exists and is not revoked; marks it used. */
export async function findTokenUser(db: Db, tokenHash: string): Promise<UserRow | undefined> {
  return firstRow(
    db,
    sql`WITH t AS (
          UPDATE api_tokens SET last_used_at = now() WHERE token_hash = ${tokenHash} AND revoked_at IS NULL RETURNING user_id
        )
        ${selectUser} JOIN t ON t.user_id = u.id`,
  )
}

export async function listApiTokens(db: Db, userId: number) {
  return rows<{
    id: number
    name: string
    created_at: string
    last_used_at: string | null
    revoked_at: string | null
  }>(
    db,
    sql`SELECT id, name, created_at, last_used_at, revoked_at FROM api_tokens WHERE user_id = ${userId} ORDER BY id`,
  )
}

export async function revokeApiToken(db: Db, userId: number, id: number): Promise<boolean> {
  const done = await rows(
    db,
    sql`UPDATE api_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE id = ${id} AND user_id = ${userId} RETURNING id`,
  )
  return done.length === 1
}
