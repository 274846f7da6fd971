import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { firstRow, type Db } from '../../src/db/client.ts'
import * as inputs from '../../src/db/queries/emission-inputs.ts'
import * as entries from '../../src/db/queries/entries.ts'
import * as health from '../../src/db/scoped/health.ts'
import * as institution from '../../src/db/scoped/institution.ts'
import * as jobs from '../../src/db/scoped/jobs.ts'
import * as pipelines from '../../src/db/scoped/pipelines.ts'
import * as reporting from '../../src/db/scoped/reporting.ts'
import * as uploads from '../../src/db/scoped/uploads.ts'
import type { Scope } from '../../src/domain/auth/scope.ts'
import { moduleIds } from '../../src/domain/reporting.ts'
import { waitForIdle } from '../helpers/api.ts'
import { startTestServer, type TestServer } from '../helpers/server.ts'
import { makeScope } from '../../src/domain/auth/scope.ts'
import { createTenant, scopeOf } from '../helpers/fixtures.ts'

/**
 * Every query on tenant data takes the caller's scope and filters on its institution
 * (SPEC §2). This calls each of them with the ids of Demo University A's rows, as A (finds
 * them) and as another institution (finds nothing). The other institution has no data of its
 * own, so that anything it gets back can only be A's. A new scoped query without a line here
 * fails the test.
 */
let s: TestServer
let a: { pipelineId: number; jobId: number; uploadId: number }
let foreign: Scope
let own: Scope

beforeAll(async () => {
  s = await startTestServer()
  const manager = await s.signIn('manager@demo-a.test')
  await waitForIdle(manager)
  const upload = await manager.upload(
    { moduleTypeId: 2, dataEntryTypeId: 20, year: 2025, mode: 'append' },
    'unit_institutional_id,origin_iata,destination_iata,user_institutional_id,cabin_class\nLAB-CLIMATE,GVA,LHR,u-1,economy\nLAB-CLIMATE,GVA,XX,u-2,economy\n',
  )
  a = upload.body
  await waitForIdle(manager)
  const ids = async (name: string) =>
    (await firstRow<{ id: number; inst: number }>(
      db(),
      sql`SELECT u.id, u.institution_id AS inst FROM users u WHERE email = ${name}`,
    ))!
  const other = await createTenant(db(), 'Institution Without Data')
  const am = await ids('manager@demo-a.test')
  foreign = scopeOf(other, 'admin')
  own = makeScope({
    userId: am.id,
    institutionId: am.inst,
    unitId: null,
    role: 'admin',
    displayName: 'A',
    email: 'manager@demo-a.test',
  })
})
afterAll(() => s.stop())

const db = (): Db => s.t.database.db

/** Each scoped query, called for `scope` on A's rows; returns what it found. */
const calls: Record<string, (scope: Scope) => Promise<unknown>> = {
  staleStatistics: (scope) =>
    db().transaction(async (tx) => {
      // A's statistics are all fresh: make one aggregation of A's look failed, inside the transaction.
      await tx.execute(sql`UPDATE jobs SET result = 'ERROR' WHERE id = (SELECT id FROM jobs
        WHERE institution_id = ${own.institutionId} AND job_type = 'aggregation' AND is_current LIMIT 1)`)
      const found = await health.staleStatistics(tx, scope, 1)
      await tx.execute(
        sql`UPDATE jobs SET result = 'SUCCESS' WHERE job_type = 'aggregation' AND result = 'ERROR' AND institution_id = ${own.institutionId}`,
      )
      return found
    }),
  institutionName: (scope) =>
    institution
      .institutionName(db(), scope)
      .then((name) => (name === 'Demo University A' ? name : '')),
  findJob: (scope) => jobs.findJob(db(), scope, a.jobId),
  lockJob: (scope) => db().transaction((tx) => jobs.lockJob(tx, scope, a.jobId)),
  jobsOfPipeline: (scope) => jobs.jobsOfPipeline(db(), scope, a.pipelineId),
  lockUnfinishedJobsOfPipeline: (scope) =>
    db().transaction(async (tx) => {
      // Every job of A's pipeline is finished: reopen one inside the transaction to have something to find.
      await tx.execute(sql`UPDATE jobs SET state = 'QUEUED' WHERE id = ${a.jobId}`)
      const found = await jobs.lockUnfinishedJobsOfPipeline(tx, scope, a.pipelineId)
      await tx.execute(sql`UPDATE jobs SET state = 'FINISHED' WHERE id = ${a.jobId}`)
      return found
    }),
  jobEvents: (scope) => jobs.jobEvents(db(), scope, a.jobId),
  pipelineEvents: (scope) => jobs.pipelineEvents(db(), scope, a.pipelineId),
  jobRowErrors: (scope) =>
    jobs.jobRowErrors(db(), scope, a.jobId, 'error', { row: -1, id: 0 }, 100),
  findPipeline: (scope) => pipelines.findPipeline(db(), scope, a.pipelineId),
  listPipelines: (scope) => pipelines.listPipelines(db(), scope, { limit: 100, year: 2025 }),
  activePipelines: (scope) =>
    pipelines
      .activePipelines(db(), scope, 2025, moduleIds)
      .then((r) => r.filter((m) => m.active || m.last)),
  findUpload: (scope) => uploads.findUpload(db(), scope, a.uploadId),
  uploadChunk: (scope) => uploads.uploadChunk(db(), scope, a.uploadId, 0),
  listUnits: (scope) =>
    reporting
      .listUnits(db(), scope)
      .then((u) => u.filter((x) => x.institutional_id === 'LAB-CLIMATE')),
  moduleStatistics: (scope) =>
    reporting
      .moduleStatistics(db(), scope, 2025)
      .then((r) => r.filter((m) => m.module_type_id === 3)),
  yearsWithStatistics: (scope) => reporting.yearsWithStatistics(db(), scope),
  activeYears: (scope) =>
    reporting.activeYears(db(), scope).then((years) => years.filter((y) => y === 2025)),
  moduleYearFacts: (scope) =>
    reporting
      .moduleYearFacts(db(), scope, 2025)
      .then((r) => r.filter((m) => m.entry_count > 0 || m.total !== null || m.last_status)),
}

/**
 * The engine's reads of tenant data, which take a Tenant (a job's institution, or the caller's
 * scope on request paths such as the dry run): the same test, A's rows for A, none for another.
 */
const tenantReads: Record<string, (scope: Scope) => Promise<unknown>> = {
  readUnits: (scope) =>
    entries
      .readUnits(db(), scope)
      .then((u) => u.filter((x) => x.institutional_id === 'LAB-CLIMATE')),
  aggregatedTotal: (scope) =>
    entries.aggregatedTotal(db(), scope, 2, 2025).then((kg) => (kg > 0 ? kg : undefined)),
  existingUniqueValues: (scope) =>
    entries
      .existingUniqueValues(
        db(),
        { ...scope, moduleTypeId: 1, year: 2025, column: 'user_institutional_id' },
        null,
      )
      .then((values) => [...values]),
  replacedKg: (scope) =>
    entries
      .replacedKg(db(), { ...scope, dataEntryTypeId: 20, year: 2025, unitId: null })
      .then((kg) => (kg > 0 ? kg : undefined)),
  readFactors: (scope) => inputs.readFactors(db(), scope, 20, 2025),
  readAirports: (scope) => inputs.readAirports(db(), scope),
  readStations: (scope) => inputs.readStations(db(), scope),
  readCurrencyRates: (scope) => inputs.readCurrencyRates(db(), scope, 2025),
}

function isEmpty(value: unknown): boolean {
  return value === undefined || value === '' || (Array.isArray(value) && value.length === 0)
}

describe('scoped queries', () => {
  it('cover every export of the scoped data layer', () => {
    const exported = [health, institution, jobs, pipelines, reporting, uploads].flatMap((m) =>
      Object.entries(m)
        .filter(([, v]) => typeof v === 'function')
        .map(([k]) => k),
    )
    expect(exported.sort()).toEqual(Object.keys(calls).sort())
  })

  it.each(Object.keys(calls))('%s finds A’s rows for A', async (name) => {
    expect(isEmpty(await calls[name]!(own))).toBe(false)
  })

  it.each(Object.keys(calls))('%s returns nothing of A to another institution', async (name) => {
    expect(isEmpty(await calls[name]!(foreign))).toBe(true)
  })

  it.each(Object.keys(tenantReads))('engine read %s finds A’s rows for A', async (name) => {
    expect(isEmpty(await tenantReads[name]!(own))).toBe(false)
  })

  it.each(Object.keys(tenantReads))(
    'engine read %s returns nothing of A to another institution',
    async (name) => {
      expect(isEmpty(await tenantReads[name]!(foreign))).toBe(true)
    },
  )
})
