import { sql } from 'drizzle-orm'
import { rows, type Db } from '../client.ts'

/** Jobs by type, state and result across the whole database, for /metrics (operators only). */
export async function jobCountsByState(db: Db) {
  return rows<{ job_type: string; state: string; result: string | null; n: number }>(
    db,
    sql`SELECT job_type, state, result, count(*)::int AS n FROM jobs GROUP BY 1, 2, 3`,
  )
}

export async function ping(db: Db): Promise<void> {
  await db.execute(sql`SELECT 1`)
}
