import { createHash } from 'node:crypto'
import type { JobType, TargetType } from '@carbon-sync/shared'
import type { Config } from '../../config.ts'
import type { Database } from '../../db/client.ts'
import { insertUpload, insertUploadChunk } from '../../db/queries/uploads.ts'
import type { Scope } from '../auth/scope.ts'
import { createPipeline } from '../pipeline/enqueue.ts'
import { preflight } from './preflight.ts'
import { uploadColumns } from './upload-columns.ts'
import { checkUploadRequest, type UploadRequest } from './upload-request.ts'

/** Stored chunk size: small enough to stream, large enough to keep the row count low. */
const chunkBytes = 1024 * 1024

/**
 * The file as text chunks of at most `size` bytes, each cut before a UTF-8 lead byte so that no
 * character is split (the file is valid UTF-8: preflight checked it).
 */
export function* textChunks(bytes: Buffer, size: number): Generator<string> {
  for (let start = 0; start < bytes.length;) {
    let end = Math.min(start + size, bytes.length)
    // 10xxxxxx is a continuation byte: step back to the start of its character.
    while (end < bytes.length && end > start && (bytes[end]! & 0xc0) === 0x80) end--
    yield bytes.toString('utf8', start, end)
    start = end
  }
}

const rootJob: Record<UploadRequest['kind'], { jobType: JobType; targetType: TargetType }> = {
  data: { jobType: 'csv_ingest', targetType: 'data_entries' },
  factors: { jobType: 'factor_ingest', targetType: 'factors' },
  reference: { jobType: 'reference_ingest', targetType: 'reference' },
}

/**
 * Accepts an upload: preflight, then the file, the pipeline and its first job in one
 * transaction, so that a job exists only with its file stored (SPEC §5.4).
 */
export async function createUpload(
  database: Database,
  config: Config,
  scope: Scope,
  request: UploadRequest,
  chunks: readonly Buffer[],
): Promise<{ pipelineId: number; jobId: number; uploadId: number }> {
  await checkUploadRequest(database.db, scope, request)
  const columns = uploadColumns(request.kind, request.dataEntryTypeId, request.unitId === null)!
  const checked = await preflight(chunks, columns)
  const bytes = Buffer.concat(chunks as Buffer[])
  const sha256 = createHash('sha256').update(bytes).digest('hex')
  return database.db.transaction(async (tx) => {
    const uploadId = await insertUpload(tx, {
      institutionId: scope.institutionId,
      kind: request.kind,
      moduleTypeId: request.moduleTypeId,
      dataEntryTypeId: request.dataEntryTypeId,
      year: request.year,
      mode: request.mode,
      unitId: request.unitId,
      fileName: request.fileName,
      sizeBytes: bytes.length,
      sha256,
      createdBy: scope.userId,
    })
    let seq = 0
    for (const text of textChunks(bytes, chunkBytes))
      await insertUploadChunk(tx, uploadId, seq++, text)
    const { jobType, targetType } = rootJob[request.kind]
    const { pipelineId, jobId } = await createPipeline(
      tx,
      {
        institutionId: scope.institutionId,
        kind: request.kind,
        moduleTypeId: request.moduleTypeId,
        dataEntryTypeId: request.dataEntryTypeId,
        year: request.year,
        createdBy: scope.userId,
      },
      {
        jobType,
        moduleTypeId: request.moduleTypeId,
        dataEntryTypeId: request.dataEntryTypeId,
        year: request.year,
        targetType,
        ingestionMethod: 'csv',
        uploadId,
        meta: {
          mode: request.mode,
          unitId: request.unitId,
          estimatedRows: checked.estimatedRows,
          inlineEmissions: !config.BULK_PATH_PURE_ASYNC,
        },
      },
    )
    return { pipelineId, jobId, uploadId }
  })
}
