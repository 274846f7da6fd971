import { sql } from 'drizzle-orm'
import { makeScope, type Scope } from '../../src/domain/auth/scope.ts'
import { firstRow, type Db } from '../../src/db/client.ts'

export interface Tenant {
  institutionId: number
  unitIds: Record<string, number>
  userIds: Record<'admin' | 'data_manager' | 'viewer', number>
}

let counter = 0

/**
 * Creates an institution with two units and one user of each role. The password hash is a
 * placeholder: tests that sign in use the auth service to set real passwords.
 */
export async function createTenant(db: Db, name = `Test University ${++counter}`): Promise<Tenant> {
  const inst = await firstRow<{ id: number }>(
    db,
    sql`INSERT INTO institutions (name) VALUES (${name}) RETURNING id`,
  )
  const institutionId = inst!.id
  const unitIds: Record<string, number> = {}
  for (const [iid, label] of [
    ['LAB-A', 'Lab A'],
    ['LAB-B', 'Lab B'],
  ] as const) {
    const u = await firstRow<{ id: number }>(
      db,
      sql`INSERT INTO units (institution_id, institutional_id, name) VALUES (${institutionId}, ${iid}, ${label}) RETURNING id`,
    )
    unitIds[iid] = u!.id
  }
  const userIds = {} as Tenant['userIds']
  for (const role of ['admin', 'data_manager', 'viewer'] as const) {
    const email = `${role}.${institutionId}.${counter}@test.invalid`
    const u = await firstRow<{ id: number }>(
      db,
      sql`INSERT INTO users (institution_id, email, display_name, password_hash, role)
          VALUES (${institutionId}, ${email}, ${`${role} of ${name}`}, 'unset', ${role}) RETURNING id`,
    )
    userIds[role] = u!.id
  }
  return { institutionId, unitIds, userIds }
}

/** The scope of one of the tenant's users, as the auth middleware would build it. */
export function scopeOf(
  tenant: Tenant,
  role: 'admin' | 'data_manager' | 'viewer' = 'admin',
): Scope {
  return makeScope({
    userId: tenant.userIds[role],
    institutionId: tenant.institutionId,
    unitId: null,
    role,
    displayName: role,
    email: `${role}@test.invalid`,
  })
}
