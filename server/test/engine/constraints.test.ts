import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dataEntryTypes, dataFormatFor, dataFormats } from '@carbon-sync/shared'
import { firstRow, rows } from '../../src/db/client.ts'
import { publicMessageOf } from '../../src/db/errors.ts'
import { openTestDatabase, type TestDatabase } from '../helpers/database.ts'
import { createTenant, type Tenant } from '../helpers/fixtures.ts'
import { startPipeline, aggregationRequest } from '../helpers/engine.ts'

/**
 * The constraints that hold what the code checks row by row, when two uploads race: a member's
 * user_institutional_id once per institution, module and year (SPEC §3), checked at commit.
 */
let t: TestDatabase
let tenant: Tenant
let unitId: number
let jobId: number

beforeAll(async () => {
  t = await openTestDatabase()
  tenant = await createTenant(t.database.db)
  unitId = (await firstRow<{ id: number }>(
    t.database.db,
    sql`INSERT INTO units (institution_id, institutional_id, name) VALUES (${tenant.institutionId}, 'U-1', 'Unit') RETURNING id`,
  ))!.id
  jobId = (await startPipeline(t.database, tenant, aggregationRequest(1, 2030))).jobId
})
afterAll(() => t.close())

async function insertMember(who: string, dataEntryTypeId = 1, moduleTypeId = 1) {
  await rows(
    t.database.db,
    sql`INSERT INTO data_entries (institution_id, unit_id, module_type_id, data_entry_type_id, year, source, job_id, data)
        VALUES (${tenant.institutionId}, ${unitId}, ${moduleTypeId}, ${dataEntryTypeId}, 2030, 'csv', ${jobId},
                ${JSON.stringify({ name: who, user_institutional_id: who, fte: 1, sius_code: 51 })}::jsonb)
        RETURNING id`,
  )
}

describe('unique members', () => {
  it('covers the modules of the formats that have a unique column', () => {
    const modules = new Set(
      dataEntryTypes.filter((d) => dataFormatFor(d.id)?.uniqueColumn).map((d) => d.moduleTypeId),
    )
    expect([...modules]).toEqual([1])
    const columns = Object.values(dataFormats).flatMap((f) =>
      f.uniqueColumn ? [f.uniqueColumn] : [],
    )
    expect(columns).toEqual(['user_institutional_id'])
  })

  it('refuses, at commit, a second entry of the same id in a module and year', async () => {
    await insertMember('m-1')
    const failure = await t.database.db
      .transaction(async (tx) => {
        // A replace inserts before it deletes: inside the transaction the duplicate is allowed.
        await rows(
          tx,
          sql`INSERT INTO data_entries (institution_id, unit_id, module_type_id, data_entry_type_id, year, source, job_id, data)
              VALUES (${tenant.institutionId}, ${unitId}, 1, 1, 2030, 'csv', ${jobId},
                      ${JSON.stringify({ user_institutional_id: 'm-1' })}::jsonb) RETURNING id`,
        )
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      )
    expect(failure).toBeDefined()
    expect(publicMessageOf(failure)).toMatch(/Another upload of this module and year/)
  })

  it('allows the same id in another year, and in travel entries', async () => {
    await insertMember('m-2')
    await expect(insertMember('m-2', 20, 2)).resolves.toBeUndefined()
    await expect(insertMember('m-2', 20, 2)).resolves.toBeUndefined()
  })
})
