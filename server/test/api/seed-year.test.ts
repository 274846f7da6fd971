import { sql } from 'drizzle-orm'
import { afterEach, describe, expect, it } from 'vitest'
import { rows } from '../../src/db/client.ts'
import { testConfig } from '../../src/config.ts'
import { seedDemo } from '../../src/domain/seed/seed-demo.ts'
import { createLogger } from '../../src/log.ts'
import { openTestDatabase, type TestDatabase } from '../helpers/database.ts'

/** The demo seed's year (SPEC §9): the previous calendar year, unless DEMO_DATA_YEAR says. */
let t: TestDatabase | undefined
afterEach(async () => {
  await t?.close()
  t = undefined
})

async function seededYears(config = testConfig(), now = new Date()) {
  t = await openTestDatabase()
  const summary = await seedDemo(t.database, config, createLogger('silent'), now)
  const factorYears = await rows<{ year: number }>(
    t.database.db,
    sql`SELECT DISTINCT year FROM factors ORDER BY year`,
  )
  const pipelineYears = await rows<{ year: number }>(
    t.database.db,
    sql`SELECT DISTINCT year FROM pipelines ORDER BY year`,
  )
  return {
    dataYear: summary.dataYear,
    factors: factorYears.map((r) => r.year),
    pipelines: pipelineYears.map((r) => r.year),
  }
}

describe('the demo seed', () => {
  it('loads the previous calendar year, with factors for it and the current one', async () => {
    expect(await seededYears(testConfig(), new Date('2031-03-15T12:00:00Z'))).toEqual({
      dataYear: 2030,
      factors: [2030, 2031],
      pipelines: [2030],
    })
  })

  it('loads the year DEMO_DATA_YEAR names, whatever the date', async () => {
    expect(
      await seededYears(testConfig({ DEMO_DATA_YEAR: '2027' }), new Date('2031-03-15T12:00:00Z')),
    ).toEqual({ dataYear: 2027, factors: [2027, 2028], pipelines: [2027] })
  })
})
