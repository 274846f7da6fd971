import { customType, integer, pgTable, primaryKey } from 'drizzle-orm/pg-core'
import { uploads } from './uploads.ts'

const bytea = customType<{ data: Uint8Array }>({ dataType: () => 'bytea' })

/** The bytes of an upload, in chunks of at most 1 MiB, so that readers can stream them. */
export const uploadChunks = pgTable(
  'upload_chunks',
  {
    uploadId: integer('upload_id')
      .notNull()
      .references(() => uploads.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    data: bytea('data').notNull(),
  },
  (t) => [primaryKey({ columns: [t.uploadId, t.seq] })],
)
