import { bigint, index, integer, pgTable, serial, text, timestamp } from 'drizzle-orm/pg-core'
import { institutions } from './institutions.ts'
import { units } from './units.ts'
import { users } from './users.ts'

/** An uploaded file, kept so that it can be downloaded again; its bytes are in upload_chunks. */
export const uploads = pgTable(
  'uploads',
  {
    id: serial('id').primaryKey(),
    institutionId: integer('institution_id')
      .notNull()
      .references(() => institutions.id),
    kind: text('kind', { enum: ['data', 'factors', 'reference'] }).notNull(),
    moduleTypeId: integer('module_type_id').notNull(),
    dataEntryTypeId: integer('data_entry_type_id').notNull(),
    year: integer('year').notNull(),
    mode: text('mode', { enum: ['replace', 'append'] }).notNull(),
    /** Set when the upload was made for one unit (rows then carry no unit column). */
    unitId: integer('unit_id').references(() => units.id),
    /** Original file name, sanitised. */
    fileName: text('file_name').notNull(),
    sizeBytes: bigint('size_bytes', { mode: 'number' }).notNull(),
    sha256: text('sha256').notNull(),
    createdBy: integer('created_by').references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'string' })
      .notNull()
      .defaultNow(),
  },
  (t) => [index('uploads_scope_idx').on(t.institutionId, t.moduleTypeId, t.year)],
)
