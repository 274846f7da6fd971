import { bigint, index, integer, numeric, pgTable, text } from 'drizzle-orm/pg-core'
import { dataEntries } from './data-entries.ts'
import { institutions } from './institutions.ts'
import { jobs } from './jobs.ts'

/**
 * The emission of an entry, once computed (SPEC §4). An entry without a row here has not been
 * computed yet; a row with a null kg could not be (unknown location, missing factor).
 */
export const entryEmissions = pgTable(
  'entry_emissions',
  {
    entryId: bigint('entry_id', { mode: 'number' })
      .primaryKey()
      .references(() => dataEntries.id, { onDelete: 'cascade' }),
    institutionId: integer('institution_id')
      .notNull()
      .references(() => institutions.id),
    dataEntryTypeId: integer('data_entry_type_id').notNull(),
    year: integer('year').notNull(),
    /** Effective emission (the override when there is one), exact; null when it could not be computed. */
    kgCo2eq: numeric('kg_co2eq'),
    /** computed, override, or why there is no emission. */
    emissionCode: text('emission_code').notNull(),
    emissionMessage: text('emission_message'),
    /** Job that computed it. */
    jobId: integer('job_id')
      .notNull()
      .references(() => jobs.id),
  },
  (t) => [index('entry_emissions_scope_idx').on(t.institutionId, t.dataEntryTypeId, t.year)],
)
