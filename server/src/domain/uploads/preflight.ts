import { isUtf8 } from 'node:buffer'
import {
  compileRowReader,
  binaryFile,
  CsvFormatError,
  readCsv,
  type ColumnSpec,
  type CsvRecord,
} from '@carbon-sync/shared'
import { UnprocessableFile } from '../errors.ts'

/**
 * Checks an uploaded file before any job exists (SPEC §5.4): encoding, delimiter, header,
 * required columns, and that the first rows parse. A file that fails gets a 422 naming every
 * reason; nothing is stored.
 */
export interface PreflightResult {
  header: string[]
  /** Header cells that name no column (ignored, reported as a warning). */
  unknownColumns: string[]
  /** Rough number of data rows, from the line count, for progress. */
  estimatedRows: number
}

const previewRecords = 100

export async function preflight(
  chunks: readonly Buffer[],
  columns: readonly ColumnSpec[],
): Promise<PreflightResult> {
  if (chunks.every((c) => isUtf8(c))) {
    // Chunk boundaries may split a character: check the joined bytes before calling the file bad.
  } else if (!isUtf8(Buffer.concat(chunks))) {
    await readAll(chunks) // the reader reports the exact byte offset
  }
  // A NUL byte anywhere, not only in the rows read below: the file is binary, and could not be
  // stored as text.
  let offset = 0
  for (const c of chunks) {
    const nul = c.indexOf(0)
    if (nul !== -1) throw fileError(binaryFile(offset + nul))
    offset += c.length
  }
  let header: CsvRecord | undefined
  const first: CsvRecord[] = []
  try {
    const reader = readCsv(chunks)
    for (;;) {
      const next = await reader.next()
      if (next.done) break
      for (const record of next.value) {
        if (!header) header = record
        else if (first.length < previewRecords) first.push(record)
      }
      if (first.length >= previewRecords) {
        await reader.return(undefined as never)
        break
      }
    }
  } catch (error) {
    throw fileError(error)
  }
  if (!header)
    throw new UnprocessableFile('The file is empty', {
      reasons: [{ code: 'empty_file', message: 'The file is empty' }],
    })
  if (first.length === 0) {
    throw new UnprocessableFile('The file has a header but no data rows', {
      reasons: [{ code: 'no_rows', message: 'The file has a header but no data rows' }],
    })
  }
  const reader = compileRowReader(columns, header.cells)
  if (reader.header.missing.length > 0) {
    const message = `Missing required column${reader.header.missing.length > 1 ? 's' : ''}: ${reader.header.missing.join(', ')}`
    throw new UnprocessableFile(message, {
      reasons: [{ code: 'missing_columns', message, columns: reader.header.missing }],
      expectedColumns: columns.map((c) => c.name),
    })
  }
  return {
    header: header.cells,
    unknownColumns: reader.header.unknown,
    estimatedRows: Math.max(first.length, countLines(chunks) - header.line),
  }
}

async function readAll(chunks: readonly Buffer[]): Promise<void> {
  try {
    for await (const batch of readCsv(chunks)) void batch
  } catch (error) {
    throw fileError(error)
  }
}

export function fileError(error: unknown): Error {
  if (error instanceof CsvFormatError) {
    return new UnprocessableFile(error.message, {
      reasons: [
        { code: error.code, message: error.message, line: error.line, offset: error.offset },
      ],
    })
  }
  return error instanceof Error ? error : new Error(String(error))
}

function countLines(chunks: readonly Buffer[]): number {
  let n = 0
  for (const c of chunks) {
    for (let i = c.indexOf(10); i !== -1; i = c.indexOf(10, i + 1)) n++
  }
  return n + 1
}
