import { sql } from 'drizzle-orm'
import { check, customType, integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core'
import { uploads } from './uploads.ts'

const bytea = customType<{ data: Uint8Array }>({ dataType: () => 'bytea' })

/**
 * The bytes of an upload, in chunks of about 1 MiB, so that readers can stream them. A file is
 * valid UTF-8 without NUL bytes by the time it is stored (preflight), so chunks are cut at
 * character boundaries and kept as text: PGlite moves text ten times faster than bytea, which
 * it passes as hex. Chunks stored before that are bytea (`data`); exactly one of the two is set.
 */
export const uploadChunks = pgTable(
  'upload_chunks',
  {
    uploadId: integer('upload_id')
      .notNull()
      .references(() => uploads.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    data: bytea('data'),
    text: text('text'),
  },
  (t) => [
    primaryKey({ columns: [t.uploadId, t.seq] }),
    check('upload_chunks_one_form', sql`num_nonnulls(${t.data}, ${t.text}) = 1`),
  ],
)
