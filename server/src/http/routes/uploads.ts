import { Router, type Request, type Response } from 'express'
import { uploadFieldsSchema } from '@carbon-sync/shared'
import { uploadChunk, findUpload } from '../../db/scoped/uploads.ts'
import { isoTime } from '../../db/rows.ts'
import { found } from '../../domain/access.ts'
import { assertMaySeeRows } from '../../domain/ingestion/errors-csv.ts'
import { ValidationFailed } from '../../domain/errors.ts'
import { createUpload } from '../../domain/uploads/create-upload.ts'
import { dryRunUpload } from '../../domain/uploads/dry-run.ts'
import { sanitizeFileName } from '../../domain/uploads/upload-request.ts'
import type { AppContext } from '../context.ts'
import { requirePermission, scopeOf } from '../middleware/authenticate.ts'
import { methodNotAllowed } from '../middleware/errors.ts'
import { readMultipart } from '../multipart.ts'
import { parse, pathId } from '../validate.ts'

export function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_')
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`
}

export function uploadRoutes(ctx: AppContext): Router {
  const router = Router()
  const db = ctx.database.db

  router
    .route('/sync/uploads')
    .post(requirePermission('data_management.edit'), async (req: Request, res: Response) => {
      const scope = scopeOf(res)
      const { fields, file } = await readMultipart(req, ctx.config.UPLOAD_MAX_BYTES)
      const parsed = parse(uploadFieldsSchema, fields, 'upload')
      if (!file)
        throw new ValidationFailed('Attach the CSV file in a part named "file"', { field: 'file' })
      const request = {
        kind: parsed.kind,
        moduleTypeId: parsed.moduleTypeId,
        dataEntryTypeId: parsed.dataEntryTypeId,
        year: parsed.year,
        mode: parsed.mode,
        unitId: parsed.unitId,
        fileName: sanitizeFileName(file.name),
      }
      if (parsed.dryRun) {
        res.json({ report: await dryRunUpload(ctx.database, scope, request, file.chunks) })
        return
      }
      res
        .status(202)
        .json(await createUpload(ctx.database, ctx.config, scope, request, file.chunks))
    })
    .all(methodNotAllowed(['POST']))

  router
    .route('/sync/uploads/:id')
    .get(async (req: Request, res: Response) => {
      const scope = scopeOf(res)
      const id = pathId(req, 'upload id')
      const u = await found(db, scope, 'uploads', id, await findUpload(db, scope, id))
      res.json({
        id: u.id,
        kind: u.kind,
        moduleTypeId: u.module_type_id,
        dataEntryTypeId: u.data_entry_type_id,
        year: u.year,
        mode: u.mode,
        unitId: u.unit_id,
        fileName: u.file_name,
        sizeBytes: u.size_bytes,
        sha256: u.sha256,
        createdBy: u.created_by,
        createdAt: isoTime(u.created_at),
      })
    })
    .all(methodNotAllowed(['GET']))

  router
    .route('/sync/uploads/:id/file')
    .get(async (req: Request, res: Response) => {
      const scope = scopeOf(res)
      const id = pathId(req, 'upload id')
      const upload = await found(db, scope, 'uploads', id, await findUpload(db, scope, id))
      assertMaySeeRows(scope, upload.unit_id)
      res.setHeader('Content-Type', 'text/csv; charset=utf-8')
      res.setHeader('Content-Disposition', contentDisposition(upload.file_name))
      res.setHeader('Content-Length', String(upload.size_bytes))
      res.setHeader('X-Content-SHA256', upload.sha256)
      for (let seq = 0; ; seq++) {
        const chunk = await uploadChunk(db, scope, id, seq)
        if (!chunk) break
        if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve))
      }
      res.end()
    })
    .all(methodNotAllowed(['GET']))
  return router
}
