import { sql } from 'drizzle-orm'
import { firstRow, rows, type Db } from '../client.ts'

/** Serialises seeding between processes that start together on one database. */
export async function lockSeed(tx: Db): Promise<void> {
  await rows(tx, sql`SELECT pg_advisory_xact_lock(hashtext('carbon-sync:seed'))`)
}

export async function institutionCount(db: Db): Promise<number> {
  return (
    (await firstRow<{ n: number }>(db, sql`SELECT count(*)::int AS n FROM institutions`))?.n ?? 0
  )
}

export async function insertInstitution(tx: Db, name: string): Promise<number> {
  return (await firstRow<{ id: number }>(
    tx,
    sql`INSERT INTO institutions (name) VALUES (${name}) RETURNING id`,
  ))!.id
}

export async function insertUnit(
  tx: Db,
  institutionId: number,
  institutionalId: string,
  name: string,
): Promise<number> {
  return (await firstRow<{ id: number }>(
    tx,
    sql`INSERT INTO units (institution_id, institutional_id, name) VALUES (${institutionId}, ${institutionalId}, ${name}) RETURNING id`,
  ))!.id
}

export async function insertUser(
  tx: Db,
  u: {
    institutionId: number
    email: string
    displayName: string
    passwordHash: string
    role: string
    unitId?: number | null
  },
): Promise<number> {
  return (await firstRow<{ id: number }>(
    tx,
    sql`INSERT INTO users (institution_id, unit_id, email, display_name, password_hash, role)
        VALUES (${u.institutionId}, ${u.unitId ?? null}, ${u.email}, ${u.displayName}, ${u.passwordHash}, ${u.role}) RETURNING id`,
  ))!.id
}
