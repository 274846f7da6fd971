import { bigserial, index, integer, jsonb, pgTable, text } from 'drizzle-orm/pg-core'
import { institutions } from './institutions.ts'
import { jobs } from './jobs.ts'
import { units } from './units.ts'

/**
 * Activity data, one row per entry, as uploaded. Its emission lives in entry_emissions: a
 * recalculation rewrites narrow emission rows instead of every wide entry row.
 */
export const dataEntries = pgTable(
  'data_entries',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    institutionId: integer('institution_id')
      .notNull()
      .references(() => institutions.id),
    unitId: integer('unit_id')
      .notNull()
      .references(() => units.id),
    moduleTypeId: integer('module_type_id').notNull(),
    dataEntryTypeId: integer('data_entry_type_id').notNull(),
    year: integer('year').notNull(),
    source: text('source', { enum: ['csv', 'api', 'seed'] }).notNull(),
    /** Job that stored the entry. */
    jobId: integer('job_id')
      .notNull()
      .references(() => jobs.id),
    /** Parsed columns; an override sits under the reserved key `$kg_co2eq`. */
    data: jsonb('data').$type<Record<string, string | number>>().notNull(),
  },
  (t) => [
    // Every reader and writer works on one institution, data-entry type and year (a module is
    // a list of types), and the recalculation pages through it by id.
    index('data_entries_scope_idx').on(t.institutionId, t.dataEntryTypeId, t.year, t.id),
  ],
)
