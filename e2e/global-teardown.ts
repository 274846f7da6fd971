import { handle, stopServer } from './global-setup.ts'
import { removeState } from './support/state.ts'

/**
 * Stops the server the global setup started (SIGTERM, SIGKILL after 10 s) and drops its
 * database. Playwright runs the setup and the teardown in the same process: the handles are
 * the setup's own, never a process id read back from a file (which could name another process
 * by the time a stale file is read).
 */
export default async function globalTeardown(): Promise<void> {
  const { child, drop } = handle
  handle.child = undefined
  handle.drop = undefined
  await stopServer(child)
  if (drop) await drop()
  // The file named a server and a database that are gone (the server's log stays, for reading).
  removeState()
}
