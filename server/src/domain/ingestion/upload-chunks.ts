import type { Db } from '../../db/client.ts'
import { readUploadChunk } from '../../db/queries/uploads.ts'

/** The bytes of an upload, one stored chunk at a time, so that a large file is never whole in memory. */
export async function* uploadChunks(db: Db, uploadId: number): AsyncGenerator<Uint8Array> {
  for (let seq = 0; ; seq++) {
    const chunk = await readUploadChunk(db, uploadId, seq)
    if (!chunk) return
    yield chunk
  }
}
