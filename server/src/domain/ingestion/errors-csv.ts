import {
  dataFormatFor,
  dataUploadColumns,
  escapeFormula,
  formatCsvRow,
  readCsv,
} from '@carbon-sync/shared'
import type { Db } from '../../db/client.ts'
import type { JobRow } from '../../db/rows.ts'
import { findJob, jobRowErrors } from '../../db/scoped/jobs.ts'
import { uploadChunk } from '../../db/scoped/uploads.ts'
import { found } from '../access.ts'
import type { Scope } from '../auth/scope.ts'
import { PermissionDenied } from '../errors.ts'

/** A user tied to one unit sees the rows (names, ids) of uploads made for that unit only. */
export function assertMaySeeRows(scope: Scope, unitId: number | null | undefined): void {
  if (scope.unitId !== null && unitId !== scope.unitId) {
    throw new PermissionDenied(
      "This file holds other units' rows; your account is tied to one unit",
    )
  }
}

async function originalHeader(db: Db, scope: Scope, job: JobRow): Promise<string[]> {
  if (job.uploadId !== null) {
    const uploadId = job.uploadId
    async function* chunks() {
      for (let seq = 0; ; seq++) {
        const c = await uploadChunk(db, scope, uploadId, seq)
        if (!c) return
        yield c
      }
    }
    for await (const batch of readCsv(chunks())) if (batch[0]) return batch[0].cells
  }
  const format = job.dataEntryTypeId === null ? undefined : dataFormatFor(job.dataEntryTypeId)
  return format ? dataUploadColumns(format, true).map((c) => c.name) : []
}

/**
 * The failed rows of a job as a CSV ready to fix and upload again (SPEC §5.4): the original
 * header plus error_column, error_code, error_message, one line per failed row. Cells that a
 * spreadsheet would run as formulas are escaped. Starts with a BOM so that spreadsheets read UTF-8.
 */
export async function errorsCsv(
  db: Db,
  scope: Scope,
  jobId: number,
): Promise<AsyncGenerator<string>> {
  const job = await found(db, scope, 'jobs', jobId, await findJob(db, scope, jobId))
  assertMaySeeRows(scope, job.meta.unitId ?? null)
  return rowsCsv(db, scope, jobId, 'error', await originalHeader(db, scope, job))
}

/**
 * The rows a job stored without emission (SPEC §4, row warnings) as a CSV: the entries in
 * template order (the columns of the data-entry type, with the unit), plus warning_column,
 * warning_code, warning_message. Fix the location or factor, or the row, and upload again.
 */
export async function warningsCsv(
  db: Db,
  scope: Scope,
  jobId: number,
): Promise<AsyncGenerator<string>> {
  const job = await found(db, scope, 'jobs', jobId, await findJob(db, scope, jobId))
  assertMaySeeRows(scope, job.meta.unitId ?? null)
  const format = job.dataEntryTypeId === null ? undefined : dataFormatFor(job.dataEntryTypeId)
  const header = format ? dataUploadColumns(format, true).map((c) => c.name) : []
  return rowsCsv(db, scope, jobId, 'warning', header)
}

async function rowsCsv(
  db: Db,
  scope: Scope,
  jobId: number,
  severity: 'error' | 'warning',
  header: string[],
): Promise<AsyncGenerator<string>> {
  async function* lines() {
    yield (
      '\ufeff' +
      formatCsvRow([...header, ...[`column`, `code`, `message`].map((c) => `${severity}_${c}`)]) +
      '\r\n'
    )
    let after = { row: -1, id: 0 }
    for (;;) {
      const page = await jobRowErrors(db, scope, jobId, severity, after, 5000)
      if (page.length === 0) return
      let out = ''
      for (const e of page) {
        const cells = header.map((_, i) => e.cells[i] ?? '')
        out +=
          formatCsvRow([...cells, e.column_name ?? '', e.code, e.message].map(escapeFormula)) +
          '\r\n'
      }
      yield out
      const last = page[page.length - 1]!
      after = { row: last.row_number, id: last.id }
    }
  }
  return lines()
}
