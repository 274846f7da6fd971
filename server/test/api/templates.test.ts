import { dataEntryTypes, dataFormatOfType } from '@carbon-sync/shared'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { waitForIdle } from '../helpers/api.ts'
import { startTestServer, type ApiClient, type TestServer } from '../helpers/server.ts'

/**
 * A template downloaded and uploaded as it is, example row included, is the first thing a new
 * data manager tries. In the demo institution its dry run must show a clean file whose row
 * adds emissions, not a warning about an unknown station or a missing factor.
 */
let s: TestServer
let manager: ApiClient

beforeAll(async () => {
  s = await startTestServer()
  manager = await s.signIn('manager@demo-a.test')
  await waitForIdle(manager)
})
afterAll(() => s.stop())

const supported = dataEntryTypes.filter((t) => dataFormatOfType[t.id] !== undefined)
const year = new Date().getUTCFullYear() - 1

interface DryRunReport {
  rowsTotal: number
  rowsValid: number
  rowsWithoutEmission: number
  errors: unknown[]
  rowWarnings: { message: string }[]
  warnings: unknown[]
  impact: { beforeKgCo2eq: number; afterKgCo2eq: number }
}

describe('templates in the demo institution', () => {
  it.each(supported.map((t) => [t.key, t.id, t.moduleTypeId] as const))(
    '%s (%i): the example row passes a dry run and adds emissions',
    async (key, dataEntryTypeId, moduleTypeId) => {
      const template = await manager.get(`/api/v1/catalog/templates/${key}.csv`)
      expect(template.status).toBe(200)
      const res = await manager.upload(
        { moduleTypeId, dataEntryTypeId, year, mode: 'append', dryRun: 'true' },
        await template.text(),
        `${key}.csv`,
      )
      expect(res.status).toBe(200)
      const report = res.body.report as DryRunReport
      expect(report.errors).toEqual([])
      expect(report.rowWarnings.map((w) => w.message)).toEqual([])
      expect(report.warnings).toEqual([])
      expect(report.rowsValid).toBe(report.rowsTotal)
      expect(report.rowsTotal).toBeGreaterThanOrEqual(1)
      expect(report.rowsWithoutEmission).toBe(0)
      expect(report.impact.afterKgCo2eq).toBeGreaterThan(report.impact.beforeKgCo2eq)
    },
  )
})
