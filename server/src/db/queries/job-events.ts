import { sql } from 'drizzle-orm'
import type { JobResult, JobState } from '@carbon-sync/shared'
import { rows, type Db } from '../client.ts'

export interface JobEventInput {
  jobId: number
  pipelineId: number
  institutionId: number
  state: JobState
  result?: JobResult | null
  pod?: string | null
  message?: string | null
}

/** Appends one transition to the job's history. */
export async function appendJobEvent(tx: Db, e: JobEventInput): Promise<void> {
  await rows(
    tx,
    sql`
      INSERT INTO job_events (job_id, pipeline_id, institution_id, state, result, pod, message)
      VALUES (${e.jobId}, ${e.pipelineId}, ${e.institutionId}, ${e.state}, ${e.result ?? null},
              ${e.pod ?? null}, ${e.message ?? null})
      RETURNING id
    `,
  )
}
