import { sql } from 'drizzle-orm'
import {
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  serial,
  text,
  timestamp,
  uniqueIndex,
  type AnyPgColumn,
} from 'drizzle-orm/pg-core'
import { dedupPredicate, dedupRules, runningPredicate } from '../dedup-rules.ts'
import { institutions } from './institutions.ts'
import { pipelines } from './pipelines.ts'
import { uploads } from './uploads.ts'
import { users } from './users.ts'

/** Job meta: configuration, progress, counts and the first row errors (SPEC §5.1). */
export interface JobMeta {
  mode?: 'replace' | 'append'
  unitId?: number | null
  progress?: { phase: number; processed: number; total: number | null } | null
  counts?: {
    rowsTotal: number
    rowsInserted: number
    rowsFailed: number
    rowsWithoutEmission: number
  }
  warnings?: string[]
  firstErrors?: { row: number; column: string | null; code: string; message: string }[]
  /** The first row warnings (entries stored without emission). */
  firstWarnings?: { row: number; column: string | null; code: string; message: string }[]
  /** Computes emissions inline instead of leaving them to a chained emission_recalc. */
  inlineEmissions?: boolean
  /** Rough number of rows of the upload, from its line count, for progress. */
  estimatedRows?: number
  /** Seed jobs: which demo institution's data to load. */
  seed?: { institutionKey: 'a' | 'b' }
}

const dedupIndexes = Object.entries(dedupRules).map(([jobType, rule]) => ({ jobType, rule }))

export const jobs = pgTable(
  'jobs',
  {
    id: serial('id').primaryKey(),
    pipelineId: integer('pipeline_id')
      .notNull()
      .references(() => pipelines.id),
    parentJobId: integer('parent_job_id').references((): AnyPgColumn => jobs.id),
    retryOf: integer('retry_of').references((): AnyPgColumn => jobs.id),
    jobType: text('job_type', {
      enum: [
        'csv_ingest',
        'api_ingest',
        'factor_ingest',
        'reference_ingest',
        'seed_ingest',
        'emission_recalc',
        'aggregation',
      ],
    }).notNull(),
    institutionId: integer('institution_id')
      .notNull()
      .references(() => institutions.id),
    moduleTypeId: integer('module_type_id').notNull(),
    dataEntryTypeId: integer('data_entry_type_id'),
    year: integer('year').notNull(),
    targetType: text('target_type', { enum: ['data_entries', 'factors', 'reference'] }).notNull(),
    ingestionMethod: text('ingestion_method', {
      enum: ['csv', 'api', 'seed', 'computed'],
    }).notNull(),
    uploadId: integer('upload_id').references(() => uploads.id),
    state: text('state', { enum: ['NOT_STARTED', 'QUEUED', 'RUNNING', 'FINISHED'] }).notNull(),
    result: text('result', { enum: ['SUCCESS', 'WARNING', 'ERROR', 'CANCELLED'] }),
    statusMessage: text('status_message'),
    meta: jsonb('meta').$type<JobMeta>().notNull().default({}),
    attempts: integer('attempts').notNull().default(0),
    maxAttempts: integer('max_attempts').notNull().default(3),
    /** Bumped on every change; the SSE event id of job streams. */
    version: integer('version').notNull().default(1),
    // clock_timestamp(), not now(): a child is created at the end of its parent's finishing
    // transaction, which may have run for minutes; now() would date it back to the start.
    runAfter: timestamp('run_after', { withTimezone: true, mode: 'string' })
      .notNull()
      .default(sql`clock_timestamp()`),
    lockedBy: text('locked_by'),
    lockedAt: timestamp('locked_at', { withTimezone: true, mode: 'string' }),
    heartbeatAt: timestamp('heartbeat_at', { withTimezone: true, mode: 'string' }),
    cancelRequestedAt: timestamp('cancel_requested_at', { withTimezone: true, mode: 'string' }),
    isCurrent: boolean('is_current').notNull().default(false),
    createdBy: integer('created_by').references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'string' })
      .notNull()
      .default(sql`clock_timestamp()`),
    startedAt: timestamp('started_at', { withTimezone: true, mode: 'string' }),
    finishedAt: timestamp('finished_at', { withTimezone: true, mode: 'string' }),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'string' })
      .notNull()
      .defaultNow(),
  },
  (t) => [
    // The claim reads this index only: queued jobs in run order.
    index('jobs_claim_idx')
      .on(t.runAfter, t.id)
      .where(sql`state = 'QUEUED'`),
    // The reclaim sweep reads running jobs by heartbeat.
    index('jobs_running_heartbeat_idx')
      .on(t.heartbeatAt)
      .where(sql`state = 'RUNNING'`),
    index('jobs_pipeline_idx').on(t.pipelineId),
    index('jobs_scope_idx').on(t.institutionId, t.moduleTypeId, t.year, t.jobType),
    ...dedupIndexes.flatMap(({ jobType, rule }) => {
      const column = {
        institution_id: t.institutionId,
        module_type_id: t.moduleTypeId,
        data_entry_type_id: t.dataEntryTypeId,
        year: t.year,
      }
      const [first, ...rest] = rule.scope.map((c) => column[c])
      const type = jobType as keyof typeof dedupRules
      return [
        uniqueIndex(rule.index)
          .on(first!, ...rest)
          .where(sql.raw(dedupPredicate(type))),
        uniqueIndex(rule.runningIndex)
          .on(first!, ...rest)
          .where(sql.raw(runningPredicate(type))),
      ]
    }),
    // At most one current job per key, the newest finished one: the exclusion constraint
    // jobs_current_excl of migration 0004 (drizzle cannot declare one). It is deferred, so
    // that the finish may set the new current job and clear the old one in one statement.
  ],
)
