// `pnpm test`: every check CI runs, in order, stopping at the first failure.
// Starts the local PostgreSQL cluster if it is not answering (the integration suite needs it).
import { execFileSync, spawnSync } from 'node:child_process'
import fs from 'node:fs'

function run(cmd, args, env = {}) {
  console.log(`\n> ${cmd} ${args.join(' ')}`)
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } })
  if (r.status !== 0) {
    console.error(`\n✗ ${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`)
    process.exit(r.status ?? 1)
  }
}

function postgresReady() {
  return (
    spawnSync('pg_isready', ['-h', '127.0.0.1', '-p', '5432'], { stdio: 'ignore' }).status === 0
  )
}

function ensurePostgres() {
  if (process.env.TEST_PG_ADMIN_URL || postgresReady()) return
  try {
    const versions = fs.readdirSync('/etc/postgresql')
    for (const v of versions) {
      execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', v, 'main', 'start'], {
        stdio: 'inherit',
      })
    }
  } catch (error) {
    console.error(
      'PostgreSQL is not answering on 127.0.0.1:5432 and could not be started:',
      error.message,
    )
    process.exit(1)
  }
  for (let i = 0; i < 30 && !postgresReady(); i++) execFileSync('sleep', ['1'])
  if (!postgresReady()) {
    console.error('PostgreSQL did not come up on 127.0.0.1:5432')
    process.exit(1)
  }
}

const only = process.argv[2]
if (!only || only === 'static') {
  run('pnpm', ['lint'])
  run('pnpm', ['format:check'])
  run('pnpm', ['typecheck'])
}
if (!only || only === 'unit') {
  ensurePostgres()
  run('pnpm', ['exec', 'vitest', 'run'])
}
if ((!only || only === 'e2e') && fs.existsSync('e2e/playwright.config.ts')) {
  ensurePostgres()
  run('pnpm', ['--filter', '@carbon-sync/e2e', 'test'])
}
console.log('\n✓ all checks passed')
