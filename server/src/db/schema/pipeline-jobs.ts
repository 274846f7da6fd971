import { index, integer, pgTable, primaryKey, timestamp } from 'drizzle-orm/pg-core'
import { jobs } from './jobs.ts'
import { pipelines } from './pipelines.ts'

/**
 * Membership of jobs in pipelines: a job's own pipeline, and every pipeline whose request
 * joined the job instead of creating a duplicate (SPEC §5.3).
 */
export const pipelineJobs = pgTable(
  'pipeline_jobs',
  {
    pipelineId: integer('pipeline_id')
      .notNull()
      .references(() => pipelines.id),
    jobId: integer('job_id')
      .notNull()
      .references(() => jobs.id),
    joinedAt: timestamp('joined_at', { withTimezone: true, mode: 'string' }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.pipelineId, t.jobId] }),
    index('pipeline_jobs_job_idx').on(t.jobId),
  ],
)
