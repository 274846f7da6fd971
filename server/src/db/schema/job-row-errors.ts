import { bigserial, index, integer, jsonb, pgTable, text } from 'drizzle-orm/pg-core'
import { institutions } from './institutions.ts'
import { jobs } from './jobs.ts'

/** Rows a job skipped (errors) or stored with a reservation (warnings), with the reason and the cells. */
export const jobRowErrors = pgTable(
  'job_row_errors',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    jobId: integer('job_id')
      .notNull()
      .references(() => jobs.id),
    institutionId: integer('institution_id')
      .notNull()
      .references(() => institutions.id),
    /** Line number in the file where the row starts. */
    rowNumber: integer('row_number').notNull(),
    columnName: text('column_name'),
    /**
     * error: the row was skipped (errors.csv). warning: the row was stored, but something about
     * it needs attention, such as an entry without emission (warnings.csv).
     */
    severity: text('severity', { enum: ['error', 'warning'] })
      .notNull()
      .default('error'),
    code: text('code').notNull(),
    message: text('message').notNull(),
    /** The row's cells as read, to write errors.csv. */
    cells: jsonb('cells').$type<string[]>().notNull(),
  },
  (t) => [index('job_row_errors_job_idx').on(t.jobId, t.severity, t.rowNumber)],
)
