import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * What the global setup hands to the tests and to the global teardown: where the app under
 * test listens and which database it uses. A file, because Playwright's workers are other
 * processes than the one that ran the setup.
 */
export interface SuiteState {
  /** Origin of the server (SPA and API), e.g. http://127.0.0.1:41234. */
  baseURL: string
  /** The fresh database the server runs on (dropped by the teardown). */
  databaseUrl: string
  databaseName: string
  /** Admin connection used to create and drop it. */
  adminUrl: string
  /** Process id of `node --import tsx src/main.ts all`. */
  serverPid: number
  /** The year the demo seed loaded (the API's default year). */
  dataYear: number
}

export const e2eDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
export const repoDir = path.resolve(e2eDir, '..')
export const tmpDir = path.join(e2eDir, '.tmp')
const stateFile = path.join(tmpDir, 'state.json')
export const serverLogFile = path.join(tmpDir, 'server.log')

export function writeState(state: SuiteState): void {
  fs.mkdirSync(tmpDir, { recursive: true })
  fs.writeFileSync(stateFile, JSON.stringify(state, null, 2) + '\n')
}

export function readState(): SuiteState {
  if (!fs.existsSync(stateFile))
    throw new Error(
      `${stateFile} is missing: run the suite with \`playwright test\` (global setup)`,
    )
  return JSON.parse(fs.readFileSync(stateFile, 'utf8')) as SuiteState
}

export function removeState(): void {
  fs.rmSync(stateFile, { force: true })
}

/** The demo logins (SPEC §9). */
export const demoPassword = process.env['DEMO_PASSWORD'] ?? 'carbon-sync-demo'
export const users = {
  adminA: 'admin@demo-a.test',
  managerA: 'manager@demo-a.test',
  viewerA: 'viewer@demo-a.test',
  adminB: 'admin@demo-b.test',
  managerB: 'manager@demo-b.test',
} as const
