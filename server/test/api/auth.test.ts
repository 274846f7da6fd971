import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { firstRow, rows } from '../../src/db/client.ts'
import { hashPassword } from '../../src/domain/auth/passwords.ts'
import { waitForIdle, waitForPipeline } from '../helpers/api.ts'
import { ApiClient, startTestServer, type TestServer } from '../helpers/server.ts'
import { StreamRecorder } from '../helpers/sse.ts'

/** Identity, roles, CSRF and tenancy over HTTP (SPEC §2). */
let s: TestServer
let manager: ApiClient
let admin: ApiClient
let viewer: ApiClient
let otherManager: ApiClient
let otherAdmin: ApiClient
/** A pipeline, job and upload of Demo University A, with one failed row. */
let a: { pipelineId: number; jobId: number; uploadId: number }

beforeAll(async () => {
  s = await startTestServer()
  manager = await s.signIn('manager@demo-a.test')
  admin = await s.signIn('admin@demo-a.test')
  viewer = await s.signIn('viewer@demo-a.test')
  otherManager = await s.signIn('manager@demo-b.test')
  otherAdmin = await s.signIn('admin@demo-b.test')
  await waitForIdle(manager)
  const upload = await manager.upload(
    { moduleTypeId: 2, dataEntryTypeId: 20, year: 2025, mode: 'append' },
    'unit_institutional_id,origin_iata,destination_iata,user_institutional_id,cabin_class\nLAB-CLIMATE,GVA,LHR,u-1,economy\nLAB-CLIMATE,GVA,XX,u-2,economy\n',
  )
  a = upload.body
  await waitForPipeline(manager, a.pipelineId)
})
afterAll(() => s.stop())

describe('sign-in', () => {
  it('sets an httpOnly, SameSite=Strict session cookie and tells who signed in', async () => {
    const c = s.client()
    const res = await c.post('/api/v1/auth/login', {
      email: 'Manager@Demo-A.test',
      password: 'carbon-sync-demo',
    })
    expect(res.status).toBe(200)
    const cookie = res.headers.get('set-cookie')!
    expect(cookie).toMatch(/^carbon_sync_session=/)
    expect(cookie).toMatch(/HttpOnly/i)
    expect(cookie).toMatch(/SameSite=Strict/i)
    expect(cookie).toMatch(/Path=\//)
    const me = await c.json<{ role: string; institution: { name: string }; permissions: string[] }>(
      'GET',
      '/api/v1/auth/me',
    )
    expect(me.body).toMatchObject({
      role: 'data_manager',
      institution: { name: 'Demo University A' },
    })
    expect(me.body.permissions).toEqual(['data_management.view', 'data_management.edit'])
  })

  it('answers a wrong password and an unknown email the same way', async () => {
    const wrong = await s
      .client()
      .json<{ error: { code: string; message: string } }>('POST', '/api/v1/auth/login', {
        email: 'manager@demo-a.test',
        password: 'nope',
      })
    const unknown = await s
      .client()
      .json<{ error: { code: string; message: string } }>('POST', '/api/v1/auth/login', {
        email: 'nobody@demo-a.test',
        password: 'nope',
      })
    expect(wrong.status).toBe(401)
    expect(unknown).toEqual(wrong)
  })

  it('ends the session on logout, and refuses an expired one', async () => {
    const c = await s.signIn('viewer@demo-a.test')
    expect((await c.post('/api/v1/auth/logout')).status).toBe(204)
    expect((await c.get('/api/v1/auth/me')).status).toBe(401)
    const d = await s.signIn('viewer@demo-a.test')
    await s.t.database.db.execute(sql`UPDATE sessions SET expires_at = now() - interval '1 minute'`)
    const expired = await d.json<{ error: { code: string } }>('GET', '/api/v1/auth/me')
    expect(expired).toMatchObject({ status: 401, body: { error: { code: 'unauthorized' } } })
    // Other tests' sessions were expired too: sign everyone in again.
    manager = await s.signIn('manager@demo-a.test')
    admin = await s.signIn('admin@demo-a.test')
    viewer = await s.signIn('viewer@demo-a.test')
    otherManager = await s.signIn('manager@demo-b.test')
    otherAdmin = await s.signIn('admin@demo-b.test')
  })

  it('stores passwords hashed with scrypt', async () => {
    const row = await firstRow<{ password_hash: string }>(
      s.t.database.db,
      sql`SELECT password_hash FROM users WHERE email = 'manager@demo-a.test'`,
    )
    expect(row!.password_hash).toMatch(/^scrypt\$16384\$8\$1\$/)
    expect(row!.password_hash).not.toContain('carbon-sync-demo')
    expect(await hashPassword('x')).not.toBe(await hashPassword('x'))
  })
})

describe('without credentials', () => {
  it.each([
    '/api/v1/sync/pipelines',
    '/api/v1/reports/2025',
    '/api/v1/units',
    `/api/v1/sync/jobs/1`,
    '/api/v1/catalog',
  ])('GET %s is 401 in the JSON error shape', async (path) => {
    const res = await s.client().json<{ error: { code: string } }>('GET', path)
    expect(res).toMatchObject({ status: 401, body: { error: { code: 'unauthorized' } } })
  })

  it('refuses a bad API token with 401', async () => {
    const c = s.client()
    c.bearer = 'cs_not-a-token'
    expect((await c.get('/api/v1/units')).status).toBe(401)
  })
})

describe('roles', () => {
  it('lets a viewer read but not upload or recalculate', async () => {
    expect((await viewer.get('/api/v1/reports/2025')).status).toBe(200)
    const upload = await viewer.upload(
      { moduleTypeId: 2, dataEntryTypeId: 20, year: 2025 },
      'a\n1\n',
    )
    expect(upload).toMatchObject({ status: 403, body: { error: { code: 'permission_denied' } } })
    const recalc = await viewer.json('POST', '/api/v1/sync/recalculate', {
      year: 2025,
      moduleTypeId: 2,
    })
    expect(recalc).toMatchObject({ status: 403, body: { error: { code: 'permission_denied' } } })
  })

  it('keeps cancel and recover for admins', async () => {
    const cancel = await manager.json('POST', `/api/v1/sync/pipelines/${a.pipelineId}/cancel`)
    expect(cancel).toMatchObject({ status: 403, body: { error: { code: 'permission_denied' } } })
    const recover = await manager.json('POST', `/api/v1/sync/jobs/${a.jobId}/recover`)
    expect(recover).toMatchObject({ status: 403, body: { error: { code: 'permission_denied' } } })
    // An admin may; the pipeline has ended, so it is a conflict, not a permission problem.
    expect((await admin.json('POST', `/api/v1/sync/pipelines/${a.pipelineId}/cancel`)).status).toBe(
      409,
    )
    expect((await admin.json('POST', `/api/v1/sync/jobs/${a.jobId}/recover`)).status).toBe(409)
  })
})

describe('CSRF', () => {
  it('refuses a cookie-authenticated mutation without X-Requested-With', async () => {
    const c = await s.signIn('manager@demo-a.test')
    c.csrf = false
    const res = await c.json<{ error: { code: string; message: string } }>(
      'POST',
      '/api/v1/sync/recalculate',
      {
        year: 2025,
        moduleTypeId: 8,
      },
    )
    expect(res.status).toBe(403)
    expect(res.body.error.message).toContain('X-Requested-With')
  })

  it('does not ask it of a script with an API token', async () => {
    const created = await manager.json<{ token: string; id: number }>(
      'POST',
      '/api/v1/auth/tokens',
      { name: 'ci' },
    )
    expect(created.status).toBe(201)
    expect(created.body.token).toMatch(/^cs_/)
    const script = new ApiClient(s.url)
    script.csrf = false
    script.bearer = created.body.token
    const recalc = await script.json<{ pipelineId: number }>('POST', '/api/v1/sync/recalculate', {
      year: 2025,
      moduleTypeId: 8,
    })
    expect(recalc.status).toBe(202)
    await waitForPipeline(manager, recalc.body.pipelineId)
    const listed = await manager.json<{ tokens: Record<string, unknown>[] }>(
      'GET',
      '/api/v1/auth/tokens',
    )
    expect(JSON.stringify(listed.body)).not.toContain(created.body.token)
    expect((await manager.request('DELETE', `/api/v1/auth/tokens/${created.body.id}`)).status).toBe(
      204,
    )
    expect((await script.get('/api/v1/units')).status).toBe(401)
  })
})

describe('another institution', () => {
  const resources = () => [
    ['GET', `/api/v1/sync/pipelines/${a.pipelineId}`],
    ['GET', `/api/v1/sync/jobs/${a.jobId}`],
    ['GET', `/api/v1/sync/jobs/${a.jobId}/events`],
    ['GET', `/api/v1/sync/jobs/${a.jobId}/errors.csv`],
    ['GET', `/api/v1/sync/jobs/${a.jobId}/warnings.csv`],
    ['GET', `/api/v1/sync/uploads/${a.uploadId}`],
    ['GET', `/api/v1/sync/uploads/${a.uploadId}/file`],
    ['GET', `/api/v1/sync/pipelines/${a.pipelineId}/stream`],
    ['GET', `/api/v1/sync/jobs/${a.jobId}/stream`],
    ['POST', `/api/v1/sync/pipelines/${a.pipelineId}/cancel`],
    ['POST', `/api/v1/sync/jobs/${a.jobId}/recover`],
  ]

  it("gets 403 on every one of A's resources, and none of its data", async () => {
    for (const [method, path] of resources()) {
      const res = await otherAdmin.request(method!, path!)
      const text = await res.text()
      expect([path, res.status]).toEqual([path, 403])
      expect(JSON.parse(text).error.code).toBe('forbidden')
      expect(text).not.toContain('LAB-CLIMATE')
      expect(text).not.toContain('Demo University A')
    }
  })

  it('gets 404 for ids that do not exist', async () => {
    for (const [method, path] of resources()) {
      // One that could exist, and one too large for any row (PostgreSQL's integer).
      for (const id of ['987654', '99999999999']) {
        const missing = path!.replace(/\/(\d+)(\/|$)/, `/${id}$2`)
        const res = await otherAdmin.request(method!, missing)
        expect([missing, res.status]).toEqual([missing, 404])
      }
    }
  })

  it("sees none of A's pipelines, statistics or units in its lists", async () => {
    const list = await otherManager.json<{ items: { id: number }[] }>(
      'GET',
      '/api/v1/sync/pipelines?limit=100',
    )
    expect(list.body.items.map((p) => p.id)).not.toContain(a.pipelineId)
    const units = await otherManager.json<{ institutionalId: string }[]>('GET', '/api/v1/units')
    expect(units.body.map((u) => u.institutionalId)).not.toContain('LAB-CLIMATE')
    const report = await otherManager.json<{ modules: { byUnit: Record<string, number> }[] }>(
      'GET',
      '/api/v1/reports/2025',
    )
    expect(JSON.stringify(report.body)).not.toContain('LAB-CLIMATE')
  })

  it("finds none of A's pipelines or jobs in its active pipelines, stale statistics or module statuses", async () => {
    const ofA = await rows<{ pipeline_id: number; job_id: number }>(
      s.t.database.db,
      sql`SELECT pj.pipeline_id, pj.job_id FROM pipeline_jobs pj JOIN pipelines p ON p.id = pj.pipeline_id
          JOIN institutions i ON i.id = p.institution_id WHERE i.name = 'Demo University A'`,
    )
    const pipelinesOfA = new Set(ofA.map((r) => r.pipeline_id))
    const jobsOfA = new Set(ofA.map((r) => r.job_id))
    const modules = Array.from({ length: 8 }, (_, i) => i + 1).join(',')
    const active = await otherManager.json<{
      modules: Record<
        string,
        { active: { pipelineId: number } | null; last: { pipelineId: number } | null }
      >
    }>('GET', `/api/v1/sync/active-pipelines?year=2025&modules=${modules}`)
    expect(active.status).toBe(200)
    // B has pipelines of its own (its demo data): the answer is not empty, only free of A's.
    expect(Object.values(active.body.modules).some((m) => m.last !== null)).toBe(true)
    for (const m of Object.values(active.body.modules)) {
      for (const p of [m.active, m.last]) if (p) expect(pipelinesOfA.has(p.pipelineId)).toBe(false)
    }
    const stale = await otherAdmin.json<{ items: { lastAggregationJobId: number | null }[] }>(
      'GET',
      '/api/v1/sync/health/stale-stats?older_than_minutes=1',
    )
    expect(stale.status).toBe(200)
    for (const item of stale.body.items)
      expect(jobsOfA.has(item.lastAggregationJobId ?? -1)).toBe(false)
    const statuses = await otherManager.json('GET', '/api/v1/years/2025/modules')
    expect(statuses.status).toBe(200)
    expect(JSON.stringify(statuses.body)).not.toContain('LAB-CLIMATE')
  })
})

describe('a user tied to one unit', () => {
  it("may not download a file holding other units' rows", async () => {
    const unit = await firstRow<{ id: number; inst: number }>(
      s.t.database.db,
      sql`SELECT id, institution_id AS inst FROM units WHERE institutional_id = 'LAB-ENERGY'`,
    )
    await s.t.database.db.execute(sql`
      INSERT INTO users (institution_id, unit_id, email, display_name, password_hash, role)
      SELECT ${unit!.inst}, ${unit!.id}, 'lab@demo-a.test', 'Lab Manager', password_hash, 'data_manager'
      FROM users WHERE email = 'manager@demo-a.test'`)
    const lab = await s.signIn('lab@demo-a.test')
    const file = await lab.json<{ error: { code: string } }>(
      'GET',
      `/api/v1/sync/uploads/${a.uploadId}/file`,
    )
    expect(file).toMatchObject({ status: 403, body: { error: { code: 'permission_denied' } } })
    const errors = await lab.get(`/api/v1/sync/jobs/${a.jobId}/errors.csv`)
    expect(errors.status).toBe(403)
    const upload = await lab.upload({ moduleTypeId: 2, dataEntryTypeId: 20, year: 2025 }, 'a\n1\n')
    expect(upload.status).toBe(400)

    // Row errors quote the file's cells: the whole institution's manager sees them, the unit's user does not.
    const full = await manager.json<{ firstErrors: unknown[] }>(
      'GET',
      `/api/v1/sync/jobs/${a.jobId}`,
    )
    expect(full.body.firstErrors).toHaveLength(1)
    const redacted = await lab.json<{ firstErrors: unknown[] }>(
      'GET',
      `/api/v1/sync/jobs/${a.jobId}`,
    )
    expect(redacted.body.firstErrors).toEqual([])
    const pipeline = await lab.json<{ jobs: { firstErrors: unknown[] }[] }>(
      'GET',
      `/api/v1/sync/pipelines/${a.pipelineId}`,
    )
    expect(pipeline.body.jobs.every((j) => j.firstErrors.length === 0)).toBe(true)
    const stream = new StreamRecorder(`${s.url}/api/v1/sync/pipelines/${a.pipelineId}/stream`, {
      cookie: lab.cookie!,
    })
    await stream.waitFor((e) => e.length > 0)
    stream.close()
    expect(JSON.stringify(stream.events[0]!.data)).not.toContain('XX')
  })
})
