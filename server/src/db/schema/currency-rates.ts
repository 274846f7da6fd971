import { integer, numeric, pgTable, primaryKey, text } from 'drizzle-orm/pg-core'
import { institutions } from './institutions.ts'
import { jobs } from './jobs.ts'

/** Value of one unit of a currency in CHF, per institution and year. */
export const currencyRates = pgTable(
  'currency_rates',
  {
    institutionId: integer('institution_id')
      .notNull()
      .references(() => institutions.id),
    year: integer('year').notNull(),
    currency: text('currency').notNull(),
    rateToChf: numeric('rate_to_chf').notNull(),
    jobId: integer('job_id').references(() => jobs.id),
  },
  (t) => [primaryKey({ columns: [t.institutionId, t.year, t.currency] })],
)
