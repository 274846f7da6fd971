export type CsvFormatErrorCode =
  | 'invalid_utf8'
  | 'binary_file'
  | 'empty_file'
  | 'no_rows'
  | 'unterminated_quote'
  | 'record_too_long'

export class CsvFormatError extends Error {
  readonly code: CsvFormatErrorCode
  readonly line?: number
  readonly offset?: number

  constructor(
    code: CsvFormatErrorCode,
    message: string,
    where: { line?: number; offset?: number } = {},
  ) {
    super(message)
    this.name = 'CsvFormatError'
    this.code = code
    if (where.line !== undefined) this.line = where.line
    if (where.offset !== undefined) this.offset = where.offset
  }
}

export function invalidUtf8(offset: number, hint = ''): CsvFormatError {
  return new CsvFormatError(
    'invalid_utf8',
    `The file is not valid UTF-8 (invalid byte at offset ${offset}).${hint} ` +
      'Re-save it as UTF-8 (in Excel: "CSV UTF-8 (Comma delimited)") and upload it again.',
    { offset },
  )
}

export function binaryFile(offset: number): CsvFormatError {
  return new CsvFormatError(
    'binary_file',
    `This looks like a binary file, not CSV (NUL byte at offset ${offset}). ` +
      'If it is a spreadsheet, export it as CSV UTF-8 first.',
    { offset },
  )
}
