import { randomBytes } from 'node:crypto'
import postgres from 'postgres'
import {
  openPglite,
  openPostgres,
  runMigrations,
  type Database,
  type Engine,
} from '../../src/db/client.ts'

/**
 * Each test file gets a database of its own: a fresh PostgreSQL database (created here and
 * dropped at the end) or an in-memory PGlite. TEST_ENGINE picks the engine; the vitest
 * projects run the integration suite once per engine.
 */
export const testEngine: Engine = process.env['TEST_ENGINE'] === 'pglite' ? 'pglite' : 'postgres'

export const adminUrl =
  process.env['TEST_PG_ADMIN_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres'

export interface TestDatabase {
  database: Database
  engine: Engine
  /** Connection string of the PostgreSQL test database (undefined on PGlite). */
  url: string | undefined
  close(): Promise<void>
}

export function databaseUrl(name: string): string {
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  return url.toString()
}

/** Creates an empty PostgreSQL database; returns its URL and a function that drops it. */
export async function createPostgresDatabase(
  prefix = 'cs_test',
): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} })
  try {
    await admin.unsafe(`CREATE DATABASE "${name}"`)
  } finally {
    await admin.end()
  }
  return {
    url: databaseUrl(name),
    async drop() {
      const a = postgres(adminUrl, { max: 1, onnotice: () => {} })
      try {
        await a.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
      } finally {
        await a.end()
      }
    },
  }
}

export async function openTestDatabase(
  options: { engine?: Engine; poolMax?: number; onQuery?: (query: string) => void } = {},
): Promise<TestDatabase> {
  const engine = options.engine ?? testEngine
  if (engine === 'pglite') {
    const database = await openPglite({ onQuery: options.onQuery })
    await runMigrations(database)
    return { database, engine, url: undefined, close: () => database.close() }
  }
  const created = await createPostgresDatabase()
  const database = await openPostgres({
    url: created.url,
    poolMax: options.poolMax ?? 10,
    onQuery: options.onQuery,
  })
  await runMigrations(database, created.url)
  return {
    database,
    engine,
    url: created.url,
    async close() {
      await database.close()
      await created.drop()
    },
  }
}
