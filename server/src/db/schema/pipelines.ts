import { sql } from 'drizzle-orm'
import { index, integer, jsonb, pgTable, serial, text, timestamp } from 'drizzle-orm/pg-core'
import type { PipelineProgress } from '@carbon-sync/shared'
import { institutions } from './institutions.ts'
import { users } from './users.ts'

/** A root job and its descendants; status, progress and version are derived from the jobs. */
export const pipelines = pgTable(
  'pipelines',
  {
    id: serial('id').primaryKey(),
    institutionId: integer('institution_id')
      .notNull()
      .references(() => institutions.id),
    kind: text('kind', {
      enum: ['data', 'factors', 'reference', 'recalculation', 'seed'],
    }).notNull(),
    moduleTypeId: integer('module_type_id').notNull(),
    dataEntryTypeId: integer('data_entry_type_id'),
    year: integer('year').notNull(),
    status: text('status', {
      enum: ['NOT_STARTED', 'RUNNING', 'SUCCESS', 'PARTIAL', 'FAILED', 'CANCELLED'],
    })
      .notNull()
      .default('NOT_STARTED'),
    /** Bumped on every change; the SSE event id. */
    version: integer('version').notNull().default(1),
    progress: jsonb('progress').$type<PipelineProgress>().notNull(),
    /** Set by an admin's cancel: once its jobs are done, the pipeline is CANCELLED. */
    cancelRequestedAt: timestamp('cancel_requested_at', { withTimezone: true, mode: 'string' }),
    createdBy: integer('created_by').references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'string' })
      .notNull()
      .defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'string' })
      .notNull()
      .defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true, mode: 'string' }),
  },
  (t) => [
    index('pipelines_scope_idx').on(t.institutionId, t.moduleTypeId, t.year, t.id),
    index('pipelines_institution_idx').on(t.institutionId, t.id),
    // The active pipeline of a module and year (active-pipelines) in one index probe, however
    // long the history of ended pipelines.
    index('pipelines_active_idx')
      .on(t.institutionId, t.moduleTypeId, t.year, t.id)
      .where(sql`${t.status} IN ('NOT_STARTED', 'RUNNING')`),
  ],
)
