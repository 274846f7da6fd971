import { bigint, index, integer, numeric, pgTable, text } from 'drizzle-orm/pg-core'

/**
 * The emission of an entry, once computed (SPEC §4). An entry without a row here has not been
 * computed yet; a row with a null kg could not be (unknown location, missing factor).
 *
 * No foreign keys: a recalculation writes a million of these rows in one COPY, and a key check
 * per row (the entry's row locked, then the institution's and the job's) made that write ten
 * times slower. The only writers (the ingestion and the recalculation, under the scope's lock)
 * copy the ids from the entries they read, and the one statement that deletes entries deletes
 * their emissions with them (`deleteReplacedEntries`).
 */
export const entryEmissions = pgTable(
  'entry_emissions',
  {
    entryId: bigint('entry_id', { mode: 'number' }).primaryKey(),
    institutionId: integer('institution_id').notNull(),
    dataEntryTypeId: integer('data_entry_type_id').notNull(),
    year: integer('year').notNull(),
    /** Effective emission (the override when there is one), exact; null when it could not be computed. */
    kgCo2eq: numeric('kg_co2eq'),
    /** computed, override, or why there is no emission. */
    emissionCode: text('emission_code').notNull(),
    emissionMessage: text('emission_message'),
    /** Job that computed it. */
    jobId: integer('job_id').notNull(),
  },
  (t) => [index('entry_emissions_scope_idx').on(t.institutionId, t.dataEntryTypeId, t.year)],
)
