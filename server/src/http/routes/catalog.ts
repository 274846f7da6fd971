import { Router, type Request, type Response } from 'express'
import {
  dataEntryTypes,
  dataFormatFor,
  dataTemplate,
  dataUploadColumns,
  factorColumns,
  isSupportedType,
  moduleTypes,
  referenceColumns,
  referenceFormatOfType,
  yearParamSchema,
  type ColumnSpec,
} from '@carbon-sync/shared'
import { listUnits } from '../../db/scoped/reporting.ts'
import { NotFound } from '../../domain/errors.ts'
import { yearModules, yearReport, years } from '../../domain/reporting.ts'
import type { AppContext } from '../context.ts'
import { scopeOf } from '../middleware/authenticate.ts'
import { methodNotAllowed } from '../middleware/errors.ts'
import { parse } from '../validate.ts'
import { contentDisposition } from './uploads.ts'

function columnView(c: ColumnSpec) {
  const kind = c.kind
  return {
    name: c.name,
    required: c.required,
    type: kind.type,
    ...(kind.type === 'enum' ? { values: kind.values } : {}),
    ...((kind.type === 'number' || kind.type === 'integer') && kind.min !== undefined
      ? { min: kind.min }
      : {}),
    ...((kind.type === 'number' || kind.type === 'integer') && kind.max !== undefined
      ? { max: kind.max }
      : {}),
    description: c.description,
  }
}

/** The catalog as data: modules, data-entry types, and the columns of each kind of file. */
export function catalogView() {
  return {
    modules: moduleTypes.map((m) => ({ id: m.id, key: m.key, label: m.label })),
    dataEntryTypes: dataEntryTypes.map((t) => {
      const format = dataFormatFor(t.id)
      const reference = referenceFormatOfType[t.id]
      return {
        id: t.id,
        key: t.key,
        label: t.label,
        moduleTypeId: t.moduleTypeId,
        supported: isSupportedType(t.id),
        columns: format ? dataUploadColumns(format, true).map(columnView) : [],
        factorColumns: format ? factorColumns(format).map(columnView) : [],
        reference: reference
          ? { format: reference, columns: referenceColumns(reference).map(columnView) }
          : null,
      }
    }),
  }
}

export function catalogRoutes(ctx: AppContext): Router {
  const router = Router()
  const db = ctx.database.db
  const catalog = catalogView()

  router
    .route('/catalog')
    .get((_req, res) => res.json(catalog))
    .all(methodNotAllowed(['GET']))

  router
    .route('/catalog/templates/:file')
    .get((req: Request, res: Response) => {
      const file = String(req.params['file'])
      const key = file.endsWith('.csv') ? file.slice(0, -4) : file
      const template = dataTemplate(key)
      if (!template)
        throw new NotFound(
          `No template for "${key}": it is not a data-entry type that can be uploaded`,
        )
      res.setHeader('Content-Type', 'text/csv; charset=utf-8')
      res.setHeader('Content-Disposition', contentDisposition(`${key}.csv`))
      res.send(template)
    })
    .all(methodNotAllowed(['GET']))

  router
    .route('/units')
    .get(async (_req: Request, res: Response) => {
      const units = await listUnits(db, scopeOf(res))
      res.json(units.map((u) => ({ id: u.id, institutionalId: u.institutional_id, name: u.name })))
    })
    .all(methodNotAllowed(['GET']))

  router
    .route('/years')
    .get(async (_req, res) => res.json(await years(db, scopeOf(res))))
    .all(methodNotAllowed(['GET']))

  router
    .route('/years/:year/modules')
    .get(async (req: Request, res: Response) => {
      const { year } = parse(yearParamSchema, req.params, 'year')
      res.json(await yearModules(db, scopeOf(res), year))
    })
    .all(methodNotAllowed(['GET']))

  router
    .route('/reports/:year')
    .get(async (req: Request, res: Response) => {
      const { year } = parse(yearParamSchema, req.params, 'year')
      res.json(await yearReport(db, scopeOf(res), year))
    })
    .all(methodNotAllowed(['GET']))
  return router
}
