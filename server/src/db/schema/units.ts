import { integer, pgTable, serial, text, uniqueIndex } from 'drizzle-orm/pg-core'
import { institutions } from './institutions.ts'

export const units = pgTable(
  'units',
  {
    id: serial('id').primaryKey(),
    institutionId: integer('institution_id')
      .notNull()
      .references(() => institutions.id),
    /** The unit's id in its institution, as written in CSV files. */
    institutionalId: text('institutional_id').notNull(),
    name: text('name').notNull(),
  },
  (t) => [
    uniqueIndex('units_institution_institutional_id_uq').on(t.institutionId, t.institutionalId),
  ],
)
