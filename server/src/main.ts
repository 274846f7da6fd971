import { ConfigError, loadConfig } from './config.ts'
import { DataDirLockedError } from './db/client.ts'
import { createLogger } from './log.ts'
import { startProcess, type Role } from './server.ts'

/** `tsx src/main.ts [all|api|worker]`: start, print where to go, stop cleanly on SIGTERM/SIGINT. */
const role = (process.argv[2] ?? 'all') as Role
if (!['all', 'api', 'worker'].includes(role)) {
  console.error(`Unknown role "${role}": use all, api or worker`)
  process.exit(2)
}

let config
try {
  config = loadConfig()
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message)
    process.exit(2)
  }
  throw error
}
const log = createLogger(config.LOG_LEVEL, { role })

try {
  const running = await startProcess(config, role, log)
  if (running.url) {
    const lines = [
      '',
      `  Carbon Sync is running at ${running.url}`,
      `  Database: ${config.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite in ${config.DATA_DIR}`}`,
    ]
    if (config.SEED_DEMO) {
      lines.push(
        '',
        `  Demo logins (password: ${config.DEMO_PASSWORD === 'carbon-sync-demo' ? 'carbon-sync-demo' : 'DEMO_PASSWORD'}):`,
        '    admin@demo-a.test    admin, Demo University A',
        '    manager@demo-a.test  data manager, Demo University A',
        '    viewer@demo-a.test   viewer, Demo University A',
        '    admin@demo-b.test    admin, Demo University B',
        '    manager@demo-b.test  data manager, Demo University B',
      )
      if (running.seed?.seeded)
        lines.push(
          '',
          `  Demo data for ${running.seed.dataYear} is loading (${running.seed.pipelines} pipelines).`,
        )
    }
    console.log(lines.join('\n') + '\n')
  }
  if (running.opsUrl) console.log(`\n  Carbon Sync worker: metrics at ${running.opsUrl}/metrics\n`)
  let signals = 0
  const shutdown = (signal: string) => {
    if (++signals > 1) process.exit(1)
    log.info('stopping', { signal })
    running.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error('unclean stop', { error })
        process.exit(1)
      },
    )
  }
  process.on('SIGTERM', () => shutdown('SIGTERM'))
  process.on('SIGINT', () => shutdown('SIGINT'))
} catch (error) {
  if (
    error instanceof DataDirLockedError ||
    (error instanceof Error && error.message.includes('PGlite'))
  ) {
    console.error(error.message)
    process.exit(1)
  }
  log.error('failed to start', { error })
  process.exit(1)
}
