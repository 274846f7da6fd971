// Streaming CSV reader shared by the browser and the server, so it only uses web-standard APIs.
import { binaryFile, CsvFormatError, invalidUtf8 } from './errors'
import { RecordParser } from './record-parser'
import { concatBytes, Utf8Bytes } from './utf8'

export type CsvDelimiter = ',' | ';'

export interface CsvRecord {
  /** 1-based physical line number in the file where this record starts (header is usually line 1, comments and blank lines count). */
  line: number
  /** Cells as strings, exactly as in the file after unquoting (no trimming). */
  cells: string[]
  /** Set when the record is malformed but the reader could recover. */
  malformed?: { code: 'malformed_quotes'; message: string }
}

export interface CsvReadOptions {
  /** Reject any single record longer than this many characters (default 1_048_576). */
  maxRecordLength?: number
}

export interface CsvReadSummary {
  delimiter: CsvDelimiter
  bytes: number
  /** Data records, header excluded. */
  records: number
}

export { CsvFormatError, type CsvFormatErrorCode } from './errors'

const DEFAULT_MAX_RECORD_LENGTH = 1_048_576
// The first bytes are examined as a whole so that the verdict for binary files (e.g. an .xls whose
// first bytes are also invalid UTF-8) does not depend on how the upload happened to be chunked.
const SNIFF_BYTES = 4096

/** Streams records. The first record yielded is the header. Yields one batch per input chunk. */
export async function* readCsv(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options?: CsvReadOptions,
): AsyncGenerator<CsvRecord[], CsvReadSummary> {
  const reader = new CsvReader(options)
  for await (const chunk of source) {
    const batch = reader.push(chunk)
    if (batch.length > 0) yield batch
  }
  const last = reader.finish()
  if (last.length > 0) yield last
  return reader.summary()
}

/** Convenience for small inputs and tests: whole text or bytes in, header + records out. */
export function parseCsvText(
  input: string | Uint8Array,
  options?: CsvReadOptions,
): { delimiter: CsvDelimiter; header: CsvRecord; records: CsvRecord[] } {
  // Encoding strings keeps one code path, so byte offsets and errors match the streaming reader.
  const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input
  const reader = new CsvReader(options)
  const all = reader.push(bytes)
  for (const record of reader.finish()) all.push(record)
  const header = all.shift()
  if (header === undefined) throw new Error('unreachable: finish() guarantees a header')
  return { delimiter: reader.summary().delimiter, header, records: all }
}

class CsvReader {
  private readonly bytes = new Utf8Bytes()
  private readonly parser: RecordParser
  private sniffed: Uint8Array[] | undefined = []
  private sniffedLength = 0

  constructor(options: CsvReadOptions = {}) {
    const max = options.maxRecordLength ?? DEFAULT_MAX_RECORD_LENGTH
    if (!(max > 0)) throw new RangeError('maxRecordLength must be a positive number')
    this.parser = new RecordParser(max)
  }

  push(chunk: Uint8Array): CsvRecord[] {
    const out: CsvRecord[] = []
    if (this.sniffed === undefined) {
      this.parser.feed(this.bytes.decode(chunk), out)
      return out
    }
    // Copied because some producers reuse their buffers once we hand control back.
    this.sniffed.push(chunk.slice())
    this.sniffedLength += chunk.length
    if (this.sniffedLength >= SNIFF_BYTES) this.endSniffing(out)
    return out
  }

  finish(): CsvRecord[] {
    const out: CsvRecord[] = []
    if (this.sniffed !== undefined) this.endSniffing(out)
    this.parser.feed(this.bytes.flush(), out)
    this.parser.end(out)
    if (this.parser.header === undefined) {
      throw new CsvFormatError('empty_file', 'The file is empty: it contains no header row.')
    }
    if (this.parser.records === 0) {
      const line = this.parser.header.line
      throw new CsvFormatError(
        'no_rows',
        `The file has a header row (line ${line}) but no data rows.`,
        { line },
      )
    }
    return out
  }

  summary(): CsvReadSummary {
    return {
      delimiter: this.parser.delimiter ?? ',',
      bytes: this.bytes.offset,
      records: this.parser.records,
    }
  }

  private endSniffing(out: CsvRecord[]): void {
    const parts = this.sniffed ?? []
    this.sniffed = undefined
    const head = concatBytes(parts).subarray(0, SNIFF_BYTES)
    if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) {
      throw invalidUtf8(0, ' It looks like UTF-16 ("Unicode text").')
    }
    const nul = head.indexOf(0)
    if (nul !== -1) throw binaryFile(nul)
    // Decoded in the original pieces so that chunk boundaries behave the same as later on.
    for (const part of parts) this.parser.feed(this.bytes.decode(part), out)
  }
}
