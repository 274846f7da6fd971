import { sql } from 'drizzle-orm'
import { rows, type Db } from '../client.ts'

export type HeartbeatOutcome = 'owned' | 'lost' | 'cancel_requested'

/**
 * Refreshes the heartbeat of a job the pod runs. Zero rows means the pod no longer owns the
 * job (reclaimed, recovered, finished by someone else): the caller must abort its handler.
 */
export async function heartbeatJob(db: Db, jobId: number, pod: string): Promise<HeartbeatOutcome> {
  const [row] = await rows<{ cancel: boolean }>(
    db,
    sql`
      UPDATE jobs SET heartbeat_at = now()
      WHERE id = ${jobId} AND locked_by = ${pod} AND state = 'RUNNING'
      RETURNING cancel_requested_at IS NOT NULL AS cancel
    `,
  )
  if (!row) return 'lost'
  return row.cancel ? 'cancel_requested' : 'owned'
}
