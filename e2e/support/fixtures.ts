import { test as base, expect, type Page } from '@playwright/test'
import postgres from 'postgres'
import { Api } from './api.ts'
import { holdWrites } from './hold-writes.ts'
import { demoPassword, readState, type SuiteState } from './state.ts'

export type Sql = postgres.Sql

interface TestFixtures {
  /** An API client signed in as the given demo user (disposed after the test). */
  apiAs: (email: string) => Promise<Api>
  /** Signs the page's browser context in over the API (the form has its own test). */
  signIn: (page: Page, email: string) => Promise<void>
  /**
   * Holds every write to a table until the returned release is called, or the test ends
   * (see hold-writes.ts).
   */
  holdWrites: (table: string) => Promise<() => Promise<void>>
}

interface WorkerFixtures {
  suite: SuiteState
  /** SQL on the test database, for what the UI offers no way to arrange or to check. */
  sql: Sql
}

export const test = base.extend<TestFixtures, WorkerFixtures>({
  suite: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      await use(readState())
    },
    { scope: 'worker' },
  ],
  sql: [
    async ({ suite }, use) => {
      const sql = postgres(suite.databaseUrl, { max: 2, onnotice: () => {} })
      await use(sql)
      await sql.end({ timeout: 5 })
    },
    { scope: 'worker' },
  ],
  baseURL: async ({ suite }, use) => {
    await use(suite.baseURL)
  },
  apiAs: async ({ suite }, use) => {
    const opened: Api[] = []
    await use(async (email) => {
      const api = await Api.signIn(suite.baseURL, email)
      opened.push(api)
      return api
    })
    for (const api of opened) await api.dispose()
  },
  holdWrites: async ({ sql }, use) => {
    const held: (() => Promise<void>)[] = []
    await use(async (table) => {
      const release = await holdWrites(sql, table)
      held.push(release)
      return release
    })
    for (const release of held) await release()
  },
  // eslint-disable-next-line no-empty-pattern
  signIn: async ({}, use) => {
    await use(async (page, email) => {
      // page.request shares the browser context's cookies: the session cookie lands there.
      const res = await page.request.post('/api/v1/auth/login', {
        data: { email, password: demoPassword },
        headers: { 'X-Requested-With': 'carbon-sync' },
      })
      expect(res.ok(), `sign-in of ${email}`).toBe(true)
    })
  },
})

export { expect }

/** The institution id of a demo institution, by name. */
export async function institutionId(sql: Sql, name: string): Promise<number> {
  const [row] = await sql<{ id: number }[]>`SELECT id FROM institutions WHERE name = ${name}`
  if (!row) throw new Error(`no institution ${name}`)
  return row.id
}
