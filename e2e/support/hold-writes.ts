import type { Sql } from './fixtures.ts'

/**
 * Holds every write to `table` (a lock such as a long report or a backup takes) until the
 * returned release is called; reads go on. A pipeline step that writes the table then waits,
 * RUNNING and heartbeating, for as long as a test needs it to: however fast the machine, the
 * pipeline cannot end while the test is under way. Releasing twice is harmless.
 */
export async function holdWrites(sql: Sql, table: string): Promise<() => Promise<void>> {
  let release!: () => void
  const released = new Promise<void>((resolve) => (release = resolve))
  let locked!: () => void
  const isLocked = new Promise<void>((resolve) => (locked = resolve))
  if (!/^[a-z_]+$/.test(table)) throw new Error(`not a table name: ${table}`)
  const transaction = sql.begin(async (tx) => {
    await tx.unsafe(`LOCK TABLE ${table} IN EXCLUSIVE MODE`)
    locked()
    await released
  })
  await Promise.race([isLocked, transaction])
  return async () => {
    release()
    await transaction
  }
}
