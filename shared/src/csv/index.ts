export {
  CsvFormatError,
  parseCsvText,
  readCsv,
  type CsvDelimiter,
  type CsvFormatErrorCode,
  type CsvReadOptions,
  type CsvReadSummary,
  type CsvRecord,
} from './read-csv'
export { binaryFile } from './errors'
export { escapeFormula, formatCsvRow } from './write-csv'
