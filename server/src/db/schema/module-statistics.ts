import { integer, jsonb, numeric, pgTable, primaryKey, timestamp } from 'drizzle-orm/pg-core'
import { institutions } from './institutions.ts'
import { jobs } from './jobs.ts'

/** Statistics per institution, module and year, written by the aggregation job. */
export const moduleStatistics = pgTable(
  'module_statistics',
  {
    institutionId: integer('institution_id')
      .notNull()
      .references(() => institutions.id),
    moduleTypeId: integer('module_type_id').notNull(),
    year: integer('year').notNull(),
    totalKgCo2eq: numeric('total_kg_co2eq').notNull(),
    entryCount: integer('entry_count').notNull(),
    entriesWithoutEmission: integer('entries_without_emission').notNull(),
    /** kg per data-entry type id (numeric as text, exact). */
    byDataEntryType: jsonb('by_data_entry_type').$type<Record<string, string>>().notNull(),
    /** kg per unit institutional id. */
    byUnit: jsonb('by_unit').$type<Record<string, string>>().notNull(),
    jobId: integer('job_id').references(() => jobs.id),
    computedAt: timestamp('computed_at', { withTimezone: true, mode: 'string' })
      .notNull()
      .defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.institutionId, t.moduleTypeId, t.year] })],
)
