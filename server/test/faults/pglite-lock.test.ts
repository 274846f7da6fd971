import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { testEngine } from '../helpers/database.ts'
import { startServerProcess, type ServerProcess } from '../helpers/processes.ts'

/**
 * The embedded database serves one process (SPEC §9): a second process on the same data
 * directory is refused with a clear message, and the first keeps running. This is about PGlite
 * only, so it runs in the PGlite project.
 */
const processes: ServerProcess[] = []
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'carbon-sync-lock-'))

// PGlite only: the lock is on the embedded database's data directory.
describe.skipIf(testEngine !== 'pglite')('a second process on the embedded database', () => {
  afterAll(async () => {
    for (const p of processes) p.kill('SIGTERM')
    await Promise.all(processes.map((p) => p.exited))
    fs.rmSync(dataDir, { recursive: true, force: true })
  })

  it('is refused with a message that says what to do', async () => {
    const env = { DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', DATABASE_URL: '' }
    const first = startServerProcess('all', env)
    processes.push(first)
    const url = await first.url
    const second = startServerProcess('all', env)
    processes.push(second)
    expect(await second.exited).toBe(1)
    expect(second.output()).toContain('in use by another Carbon Sync process')
    expect(second.output()).toContain('DATABASE_URL')
    expect((await fetch(`${url}/readyz`)).status).toBe(200)
    // Roles apart need PostgreSQL.
    const worker = startServerProcess('worker', { DATA_DIR: dataDir, DATABASE_URL: '' })
    processes.push(worker)
    expect(await worker.exited).toBe(1)
    expect(worker.output()).toContain('use "pnpm start"')
  }, 120_000)
})
