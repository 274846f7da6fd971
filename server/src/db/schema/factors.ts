import { integer, jsonb, pgTable, serial, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core'
import { institutions } from './institutions.ts'
import { jobs } from './jobs.ts'

/** Emission factors of an institution, per data-entry type, year and classification. */
export const factors = pgTable(
  'factors',
  {
    id: serial('id').primaryKey(),
    institutionId: integer('institution_id')
      .notNull()
      .references(() => institutions.id),
    dataEntryTypeId: integer('data_entry_type_id').notNull(),
    year: integer('year').notNull(),
    /** Classification values, lower-cased, '' for blank. */
    classification: jsonb('classification').$type<Record<string, string>>().notNull(),
    /** The classification values joined, the upsert key. */
    classificationKey: text('classification_key').notNull(),
    values: jsonb('values').$type<Record<string, number>>().notNull(),
    jobId: integer('job_id').references(() => jobs.id),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'string' })
      .notNull()
      .defaultNow(),
  },
  (t) => [
    uniqueIndex('factors_key_uq').on(
      t.institutionId,
      t.dataEntryTypeId,
      t.year,
      t.classificationKey,
    ),
  ],
)
