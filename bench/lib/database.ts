import postgres from 'postgres'
import { adminUrl, createPostgresDatabase } from '@carbon-sync/server/test/helpers/database.ts'

/** Benchmark databases are named `cs_bench_<random>` and live only as long as their run. */
const prefix = 'cs_bench'

/**
 * Drops the benchmark databases that nobody is connected to: leftovers of runs that were
 * killed outright. A running benchmark always holds connections to its database.
 */
export async function dropStaleBenchDatabases(): Promise<string[]> {
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} })
  const dropped: string[] = []
  try {
    const stale = await admin<{ datname: string }[]>`
      SELECT datname FROM pg_database d
      WHERE datname LIKE ${`${prefix}\\_%`}
        AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datname = d.datname)`
    for (const { datname } of stale) {
      try {
        await admin.unsafe(`DROP DATABASE IF EXISTS "${datname.replaceAll('"', '""')}"`)
        dropped.push(datname)
      } catch {
        // Someone connected in the meantime: not stale after all.
      }
    }
  } finally {
    await admin.end({ timeout: 5 })
  }
  return dropped
}

/** A fresh, empty benchmark database; returns its URL and a function that drops it. */
export function createBenchDatabase(): ReturnType<typeof createPostgresDatabase> {
  return createPostgresDatabase(prefix)
}
