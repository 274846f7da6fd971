import {
  findDataEntryType,
  isSupportedType,
  referenceFormatOfType,
  type UploadKind,
  type UploadMode,
} from '@carbon-sync/shared'
import type { Db } from '../../db/client.ts'
import { readUnits } from '../../db/queries/entries.ts'
import type { Scope } from '../auth/scope.ts'
import { UnprocessableFile, ValidationFailed } from '../errors.ts'

/** The fields of an upload, as the HTTP layer parsed them. */
export interface UploadRequest {
  kind: UploadKind
  moduleTypeId: number
  dataEntryTypeId: number
  year: number
  mode: UploadMode
  unitId: number | null
  fileName: string
}

/** Checks that the request names a supported combination and a unit of the caller's institution. */
export async function checkUploadRequest(db: Db, scope: Scope, r: UploadRequest): Promise<void> {
  const type = findDataEntryType(r.dataEntryTypeId)
  if (!type)
    throw new ValidationFailed(`Unknown data-entry type ${r.dataEntryTypeId}`, {
      field: 'dataEntryTypeId',
    })
  if (type.moduleTypeId !== r.moduleTypeId) {
    throw new ValidationFailed(
      `Data-entry type ${r.dataEntryTypeId} belongs to module ${type.moduleTypeId}, not ${r.moduleTypeId}`,
      {
        field: 'moduleTypeId',
      },
    )
  }
  if (r.kind === 'reference' && !referenceFormatOfType[r.dataEntryTypeId]) {
    throw new UnprocessableFile(
      `${type.label} takes no reference data; airports go with type 20, stations with 21, exchange rates with a purchase or cloud type`,
    )
  }
  if (r.kind !== 'reference' && !isSupportedType(r.dataEntryTypeId)) {
    throw new UnprocessableFile(`${type.label} (type ${type.id}) cannot be uploaded yet`)
  }
  if (r.unitId !== null) {
    if (r.kind !== 'data')
      throw new ValidationFailed(
        'Factors and reference data belong to the institution: do not name a unit',
        { field: 'unitId' },
      )
    const units = await readUnits(db, scope)
    if (!units.some((u) => u.id === r.unitId))
      throw new ValidationFailed(`No unit ${r.unitId} in your institution`, { field: 'unitId' })
  }
  if (scope.unitId !== null && r.kind === 'data' && r.unitId !== scope.unitId) {
    throw new ValidationFailed('You may upload data for your own unit only: set unitId', {
      field: 'unitId',
    })
  }
}

/** A file name safe to store and to send back in Content-Disposition. */
export function sanitizeFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? ''
  const clean = base
    .normalize('NFC')
    // eslint-disable-next-line no-control-regex -- control characters are exactly what must go
    .replace(/[\u0000-\u001f\u007f"<>|:*?]/g, '_')
    .trim()
    .slice(0, 200)
  return clean === '' || clean === '.' || clean === '..' ? 'upload.csv' : clean
}
