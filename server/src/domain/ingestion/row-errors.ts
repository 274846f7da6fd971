import type { Database, Db } from '../../db/client.ts'
import { copyLine } from './copy-text.ts'

/** A row that was skipped, with why and the cells as read (to write errors.csv). */
export interface RowError {
  row: number
  column: string | null
  code: string
  message: string
  cells: string[]
}

/** Stored row errors per job; beyond this, failed rows are counted but not kept. */
export const maxStoredRowErrors = 100_000
/** Errors kept in the job's meta for a quick look (the upload dialog shows them). */
export const firstErrorsInMeta = 100

export class RowErrorCollector {
  readonly kept: RowError[] = []
  count = 0

  /** Errors are rows that were skipped; warnings, rows stored with a reservation. */
  constructor(readonly severity: 'error' | 'warning' = 'error') {}

  add(error: RowError): void {
    this.count++
    if (this.kept.length < maxStoredRowErrors) this.kept.push(error)
  }

  first(): { row: number; column: string | null; code: string; message: string }[] {
    return this.kept
      .slice(0, firstErrorsInMeta)
      .map(({ row, column, code, message }) => ({ row, column, code, message }))
  }

  /** Writes the kept rows for a job, inside its finishing transaction. */
  async store(database: Database, tx: Db, jobId: number, institutionId: number): Promise<void> {
    if (this.kept.length === 0) return
    const kept = this.kept
    const severity = this.severity
    async function* lines() {
      for (const e of kept) {
        yield copyLine([
          jobId,
          institutionId,
          e.row,
          e.column,
          severity,
          e.code,
          e.message,
          JSON.stringify(e.cells),
        ])
      }
    }
    await database.copyIn(
      tx,
      'job_row_errors',
      [
        'job_id',
        'institution_id',
        'row_number',
        'column_name',
        'severity',
        'code',
        'message',
        'cells',
      ],
      lines(),
    )
  }
}
