import {
  dataFormatFor,
  dataUploadColumns,
  factorColumns,
  referenceColumns,
  referenceFormatOfType,
  type ColumnSpec,
  type UploadKind,
} from '@carbon-sync/shared'

/** The columns a file of this kind and data-entry type must follow, or undefined if unsupported. */
export function uploadColumns(
  kind: UploadKind,
  dataEntryTypeId: number,
  withUnitColumn: boolean,
): readonly ColumnSpec[] | undefined {
  if (kind === 'reference') {
    const key = referenceFormatOfType[dataEntryTypeId]
    return key ? referenceColumns(key) : undefined
  }
  const format = dataFormatFor(dataEntryTypeId)
  if (!format) return undefined
  return kind === 'factors' ? factorColumns(format) : dataUploadColumns(format, withUnitColumn)
}
