import { sql } from 'drizzle-orm'
import { bigserial, index, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core'
import { institutions } from './institutions.ts'
import { jobs } from './jobs.ts'

/** Append-only history of job transitions; a trigger refuses UPDATE and DELETE. */
export const jobEvents = pgTable(
  'job_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    jobId: integer('job_id')
      .notNull()
      .references(() => jobs.id),
    pipelineId: integer('pipeline_id').notNull(),
    institutionId: integer('institution_id')
      .notNull()
      .references(() => institutions.id),
    state: text('state').notNull(),
    result: text('result'),
    pod: text('pod'),
    message: text('message'),
    at: timestamp('at', { withTimezone: true, mode: 'string' })
      .notNull()
      .default(sql`clock_timestamp()`),
  },
  (t) => [index('job_events_job_idx').on(t.jobId, t.id)],
)
