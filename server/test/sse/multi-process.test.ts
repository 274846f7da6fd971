import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPostgresDatabase, testEngine } from '../helpers/database.ts'
import { startServerProcess, type ServerProcess } from '../helpers/processes.ts'
import { ApiClient } from '../helpers/server.ts'
import { StreamRecorder } from '../helpers/sse.ts'

/**
 * Scaled out on PostgreSQL (SPEC §7, §9): two API processes and one worker process on one
 * database. A change the worker commits reaches viewers on both API processes, through each
 * process's own watcher. Several processes need PostgreSQL: PGlite serves one.
 */
let drop: () => Promise<void>
let databaseUrl: string
const processes: ServerProcess[] = []

function start(role: 'api' | 'worker', env: Record<string, string> = {}) {
  const p = startServerProcess(role, {
    DATABASE_URL: databaseUrl,
    PORT: '0',
    HOST: '127.0.0.1',
    POLL_INTERVAL_MS: '200',
    ...env,
  })
  processes.push(p)
  return p
}

// PostgreSQL only: PGlite belongs to one process.
describe.skipIf(testEngine === 'pglite')('two API processes and a worker', () => {
  beforeAll(async () => {
    const created = await createPostgresDatabase()
    databaseUrl = created.url
    drop = created.drop
  })
  afterAll(async () => {
    for (const p of processes) p.kill('SIGTERM')
    await Promise.all(processes.map((p) => p.exited))
    await drop?.()
  })

  it('streams the worker’s changes to viewers on either API process', async () => {
    // Both API processes start together: their migrations and seeding take turns.
    const api1 = start('api', { SEED_DEMO: 'true' })
    const api2 = start('api', { SEED_DEMO: 'true' })
    const [url1, url2] = await Promise.all([api1.url, api2.url])
    const manager = new ApiClient(url1)
    expect(
      (
        await manager.post('/api/v1/auth/login', {
          email: 'manager@demo-a.test',
          password: 'carbon-sync-demo',
        })
      ).status,
    ).toBe(200)
    const accepted = await manager.upload(
      { moduleTypeId: 2, dataEntryTypeId: 21, year: 2025, mode: 'append' },
      'unit_institutional_id,origin_name,origin_country_code,destination_name,destination_country_code,user_institutional_id,cabin_class\n' +
        'LAB-CLIMATE,Lausanne,CH,Bern Hbf,CH,t-1,second\n',
    )
    expect(accepted.status).toBe(202)
    const pipelineId: number = accepted.body.pipelineId
    const cookie = { cookie: manager.cookie! }
    const on1 = new StreamRecorder(`${url1}/api/v1/sync/pipelines/${pipelineId}/stream`, cookie)
    const on2 = new StreamRecorder(`${url2}/api/v1/sync/pipelines/${pipelineId}/stream`, cookie)
    await on1.waitFor((e) => e.length === 1, 10_000, 'the snapshot on API 1')
    await on2.waitFor((e) => e.length === 1, 10_000, 'the snapshot on API 2')
    expect(on2.events[0]!.data.status).toBe('NOT_STARTED')

    // No worker yet: nothing moved. Now one starts, in a third process.
    const worker = start('worker')
    for (const rec of [on1, on2])
      await rec.waitFor((e) => e.at(-1)?.type === 'end', 60_000, 'the end')
    for (const rec of [on1, on2]) {
      expect(rec.types()[0]).toBe('snapshot')
      expect(rec.types().filter((t) => t === 'update').length).toBeGreaterThan(0)
      expect(rec.events.at(-1)!.data).toMatchObject({ status: 'SUCCESS' })
      const ids = rec.events.map((e) => Number(e.id))
      expect([...ids].sort((a, b) => a - b)).toEqual(ids)
    }
    // Both saw the same final version.
    expect(on1.events.at(-1)!.id).toBe(on2.events.at(-1)!.id)

    // The worker process has its own /metrics, with the jobs it ran.
    const metrics = await (await fetch(await worker.metricsUrl)).text()
    expect(metrics).toMatch(
      /^carbon_sync_jobs_finished_total\{job_type="csv_ingest",result="SUCCESS"\} 1$/m,
    )
    expect(metrics).toMatch(/^carbon_sync_claim_latency_seconds_count [1-9]\d*$/m)
    expect(metrics).toMatch(
      /^carbon_sync_job_duration_seconds_count\{job_type="aggregation"\} [1-9]\d*$/m,
    )
  }, 180_000)
})
