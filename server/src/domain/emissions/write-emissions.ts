import {
  dataFormatFor,
  entryCells,
  ROW_KEY,
  type DataFormat,
  type EmissionOutcome,
  type EntryData,
} from '@carbon-sync/shared'
import type { Database, Db } from '../../db/client.ts'
import {
  createEmissionScratch,
  deleteEmissions,
  emissionColumns,
  entryScopeShape,
  keepEmissionsOfExistingEntries,
  readEntryPage,
  type EntryWithEmission,
  type TypeYear,
} from '../../db/queries/recalc.ts'
import { copyLine } from '../ingestion/copy-text.ts'
import { RowErrorCollector } from '../ingestion/row-errors.ts'
import { throwIfAborted } from '../pipeline/job-context.ts'

/** Entries read per page; large enough to amortise the round trip, small enough to keep memory flat. */
const pageSize = 20_000

export interface ComputedEmissions {
  /** COPY text of entry_emissions rows, one string per page. */
  pages: string[]
  processed: number
  /** Entries whose stored emission differs from the new one (or that had none). */
  changed: number
  withoutEmission: number
  /** Id of the last entry computed (0: none), to tell later whether the entries changed. */
  lastId: number
}

/**
 * Computes the emission of every entry of a type and year (or only those `onlyJobId` wrote),
 * page by page, comparing each with the stored one.
 */
export async function computeEmissions(
  db: Db,
  scope: TypeYear,
  emission: (data: EntryData) => EmissionOutcome,
  jobId: number,
  options: {
    onlyJobId?: number
    signal?: AbortSignal
    progress?: (processed: number) => void
    /** Collects a row warning for each entry left without emission (SPEC §4). */
    warnings?: EntryWarnings
  } = {},
): Promise<ComputedEmissions> {
  const result: ComputedEmissions = {
    pages: [],
    processed: 0,
    changed: 0,
    withoutEmission: 0,
    lastId: 0,
  }
  for (let afterId = 0; ;) {
    if (options.signal) throwIfAborted(options.signal)
    const page = await readEntryPage(db, scope, afterId, pageSize, options.onlyJobId)
    if (page.length === 0) return result
    let text = ''
    for (const entry of page) {
      const outcome = emission(entry.data)
      const kg = outcome.kg === null ? null : kgText(outcome.kg)
      const message = outcome.kg === null ? outcome.message : null
      if (outcome.kg === null) {
        result.withoutEmission++
        options.warnings?.add(entry, outcome.code, outcome.message)
      }
      if (entry.code !== outcome.code || entry.message !== message || !sameNumber(entry.kg, kg))
        result.changed++
      text += copyLine([
        entry.id,
        scope.institutionId,
        scope.dataEntryTypeId,
        scope.year,
        kg,
        outcome.code,
        message,
        jobId,
      ])
    }
    result.pages.push(text)
    result.processed += page.length
    afterId = Number(page[page.length - 1]!.id)
    result.lastId = afterId
    options.progress?.(result.processed)
    // A turn of the event loop per page: on PGlite, queries never leave the microtask queue,
    // and without it the whole computation would hold the process (HTTP, streams, heartbeats).
    await new Promise((resolve) => setImmediate(resolve))
  }
}

/**
 * Row warnings for entries that end without emission: the file line the entry came from, why,
 * and its cells in template order (for warnings.csv).
 */
export class EntryWarnings {
  readonly rows: RowErrorCollector
  private readonly format: DataFormat | undefined

  constructor(
    dataEntryTypeId: number,
    private readonly unitsById: ReadonlyMap<number, string>,
  ) {
    this.rows = new RowErrorCollector('warning')
    this.format = dataFormatFor(dataEntryTypeId)
  }

  add(entry: EntryWithEmission, code: string, message: string): void {
    const line = entry.data[ROW_KEY]
    this.rows.add({
      row: typeof line === 'number' ? line : 0,
      column: null,
      code,
      message,
      cells: this.format
        ? entryCells(this.format, entry.data, this.unitsById.get(entry.unit_id) ?? '')
        : [],
    })
  }
}

/**
 * A computed emission as stored: rounded to the milligram (6 decimals). Formulas run in
 * doubles, whose products carry noise in the last digits (1563.8546000000001); rounded, the
 * shortest text of the double is the decimal a person would write, and the statistics
 * (exact numeric sums) show no noise.
 */
export function kgText(kg: number): string {
  const rounded = Math.abs(kg) < 1e9 ? Math.round(kg * 1e6) / 1e6 : Number(kg.toPrecision(15))
  return String(Object.is(rounded, -0) ? 0 : rounded)
}

/** numeric comes back as text ("12.50"): compare values, not spellings. */
function sameNumber(stored: string | null, computed: string | null): boolean {
  if (stored === null || computed === null) return stored === computed
  return Number(stored) === Number(computed)
}

/**
 * Replaces the stored emissions of a type and year with computed ones, inside the job's
 * transaction: a bulk delete and a COPY of narrow rows, rather than an UPDATE that would
 * rewrite every (wide) entry row. Nothing is written when nothing changed.
 *
 * Emissions computed before the transaction (PGlite) go straight in when the entries are still
 * the ones computed: the same count and the same last id (ids only grow, and every path that
 * removes entries adds some), read under the scope's lock. Otherwise they pass through a
 * scratch table that keeps only those of entries that still exist.
 */
export async function replaceEmissions(
  database: Database,
  tx: Db,
  scope: TypeYear,
  computed: ComputedEmissions,
  options: { computedBefore: boolean },
): Promise<void> {
  if (computed.changed === 0) return
  await deleteEmissions(tx, scope)
  const current =
    !options.computedBefore ||
    sameEntries(await entryScopeShape(tx, scope), computed.processed, computed.lastId)
  if (current) {
    await database.copyIn(tx, 'entry_emissions', emissionColumns, computed.pages)
    return
  }
  await createEmissionScratch(tx)
  await database.copyIn(tx, 'emission_scratch', emissionColumns, computed.pages)
  await keepEmissionsOfExistingEntries(tx)
}

function sameEntries(shape: { count: number; lastId: number }, count: number, lastId: number) {
  return shape.count === count && shape.lastId === lastId
}

/** Adds the emissions of new entries (a job's own rows), inside its transaction. */
export async function insertEmissions(
  database: Database,
  tx: Db,
  computed: ComputedEmissions,
): Promise<void> {
  if (computed.processed === 0) return
  await database.copyIn(tx, 'entry_emissions', emissionColumns, computed.pages)
}
