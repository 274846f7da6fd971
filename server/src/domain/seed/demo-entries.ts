/**
 * Generators of the demo activity data (one year, one institution). Deterministic: every
 * random draw comes from mulberry32 seeded by a hash of (institution, year, purpose), so each
 * type's rows do not depend on the others and every run gives identical tables.
 */
import { dataFormatFor, dataUploadColumns } from '@carbon-sync/shared'
import type { DemoInstitution, DemoTable } from './demo-data.ts'
import {
  aiFactors,
  cloudFactors,
  equipmentKinds,
  purchaseCodes,
  ratesOf,
  toTable,
  type EquipmentKind,
} from './demo-factors.ts'
import {
  currencyWeights,
  europeAirports,
  firstNames,
  foreignStations,
  fteWeights,
  lastNames,
  profiles,
  siusWeights,
  swissStations,
  tripNotes,
  worldAirports,
  weights,
  type Profile,
} from './demo-profiles.ts'

// ---------------------------------------------------------------------------------------
// Seeded randomness
// ---------------------------------------------------------------------------------------

type Rng = () => number

function mulberry32(seed: number): Rng {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** FNV-1a, 32 bits. */
function hash(text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193)
  return h >>> 0
}

const rngFor = (...parts: (string | number)[]): Rng => mulberry32(hash(parts.join(':')))
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!
const int = (r: Rng, min: number, max: number): number => min + Math.floor(r() * (max - min + 1))
const chance = (r: Rng, p: number): boolean => r() < p
/** Log-uniform between min and max (spend is spread over orders of magnitude). */
const logUniform = (r: Rng, min: number, max: number): number =>
  Math.exp(Math.log(min) + r() * (Math.log(max) - Math.log(min)))

function weighted<T>(r: Rng, items: readonly (readonly [T, number])[]): T {
  const total = items.reduce((s, [, w]) => s + w, 0)
  let x = r() * total
  for (const [item, w] of items) if ((x -= w) < 0) return item
  return items[items.length - 1]![0]
}

function dateIn(r: Rng, year: number): string {
  const start = Date.UTC(year, 0, 1)
  const days = Math.round((Date.UTC(year + 1, 0, 1) - start) / 86_400_000)
  const iso = new Date(start + int(r, 0, days - 1) * 86_400_000).toISOString().slice(0, 10)
  // Most dates as YYYY-MM-DD, some as YYYY/MM/DD, a few left blank: all are accepted.
  const roll = r()
  return roll < 0.08 ? '' : roll < 0.2 ? iso.replaceAll('-', '/') : iso
}

// ---------------------------------------------------------------------------------------
// People
// ---------------------------------------------------------------------------------------

interface Person {
  id: string
  name: string
  unit: string
  sius: string
  fte: string
}

/** The institution's staff pool (stable across years). */
function staffPool(inst: DemoInstitution, p: Profile): Person[] {
  const r = rngFor(inst.key, 'people')
  const units = inst.units.map((u, i) => [u.institutionalId, p.unitWeights[i] ?? 1] as const)
  return Array.from({ length: p.people }, (_, i) => ({
    id: `${inst.key}${p.idBase + i}`,
    name: `${pick(r, firstNames)} ${pick(r, lastNames)}`,
    unit: weighted(r, units),
    sius: weighted(r, siusWeights),
    fte: weighted(r, fteWeights),
  }))
}

/** Staff present in `year`: about 88% of the pool (arrivals and departures). */
function staffOf(inst: DemoInstitution, p: Profile, year: number): Person[] {
  return staffPool(inst, p).filter((person) => rngFor(inst.key, year, person.id)() < 0.88)
}

// ---------------------------------------------------------------------------------------
// Travel
// ---------------------------------------------------------------------------------------

type Rec = Record<string, string>

const tripCounts = weights('2:55;1:20;:25')
const farCabins = weights('economy:86;business:12;first:2')
const nearCabins = weights('economy:98;business:2')

function tripCount(r: Rng): string {
  // A return journey is commonly entered as one row with 2 trips.
  return weighted(r, tripCounts)
}

function planeRows(inst: DemoInstitution, p: Profile, year: number, staff: Person[]): Rec[] {
  const r = rngFor(inst.key, year, 'plane')
  const travellers = staff.filter((s) => s.sius !== '59')
  const rows: Rec[] = []
  for (let i = 0; i < p.planeRows; i++) {
    const who = pick(r, travellers)
    const home = weighted(r, p.homeAirports)
    const far = chance(r, 0.2)
    const away = weighted(r, far ? worldAirports : europeAirports)
    const inbound = chance(r, 0.15)
    const cabin = weighted(r, far ? farCabins : nearCabins)
    rows.push({
      unit_institutional_id: who.unit,
      origin_iata: inbound ? away : home,
      destination_iata: inbound ? home : away,
      user_institutional_id: who.id,
      cabin_class: chance(r, 0.1) ? cabin.toUpperCase() : cabin,
      departure_date: dateIn(r, year),
      number_of_trips: tripCount(r),
      note: chance(r, 0.4) ? pick(r, tripNotes) : '',
    })
  }
  if (p.overrides && rows[7]) {
    rows[7].kg_co2eq = '0'
    rows[7].note = 'Paid and reported by the host institution'
  }
  return rows
}

function trainRows(inst: DemoInstitution, p: Profile, year: number, staff: Person[]): Rec[] {
  const r = rngFor(inst.key, year, 'train')
  const rows: Rec[] = []
  for (let i = 0; i < p.trainRows; i++) {
    const who = pick(r, staff)
    let from: readonly [string, string]
    let to: readonly [string, string]
    if (chance(r, 0.7)) {
      const a = chance(r, 0.6) ? p.homeStation : weighted(r, swissStations)
      let b = weighted(r, swissStations)
      while (b === a) b = weighted(r, swissStations)
      from = ['CH', a]
      to = ['CH', b]
    } else {
      const abroad = weighted(r, foreignStations)
      from = ['CH', chance(r, 0.6) ? p.homeStation : abroad.gateway]
      to = [abroad.country, abroad.name]
    }
    if (chance(r, 0.2)) [from, to] = [to, from]
    rows.push({
      unit_institutional_id: who.unit,
      origin_name: from[1],
      origin_country_code: from[0],
      destination_name: to[1],
      destination_country_code: to[0],
      user_institutional_id: who.id,
      cabin_class: chance(r, 0.15) ? 'first' : 'second',
      departure_date: dateIn(r, year),
      number_of_trips: tripCount(r),
      note: chance(r, 0.25) ? pick(r, tripNotes) : '',
    })
  }
  return rows
}

// ---------------------------------------------------------------------------------------
// Buildings, equipment
// ---------------------------------------------------------------------------------------

function fuelRows(inst: DemoInstitution, p: Profile, year: number): Rec[] {
  const r = rngFor(inst.key, year, 'fuel')
  return p.fuels.map(([unit, name, quantity, fuelUnit, note]) => ({
    unit_institutional_id: inst.units[unit]!.institutionalId,
    name,
    quantity: String(Math.round(quantity * (0.9 + 0.2 * r()))),
    unit: fuelUnit,
    note,
  }))
}

/** Sub-classes without a factor of their own: they fall back to the class factor. */
const looseSubClasses: Readonly<Record<string, string>> = {
  microscope: 'inverted',
  centrifuge: 'microcentrifuge',
  laptop: 'ultrabook',
  monitor: '4k',
  printer: 'laser',
}
const equipmentPrefix = { 10: 'SCI', 11: 'IT', 12: 'OTH' } as const

function hours(r: Rng, k: EquipmentKind): { active: string; standby: string } {
  const roll = r()
  if (roll < 0.3) return { active: '', standby: '' } // the factor's defaults apply
  const active = k.defActive >= 168 ? 168 : int(r, Math.max(1, k.defActive - 15), k.defActive + 15)
  if (roll < 0.4) return { active: String(active), standby: '' }
  return { active: String(active), standby: String(Math.min(168 - active, k.defStandby)) }
}

function equipmentRows(
  inst: DemoInstitution,
  typeId: 10 | 11 | 12,
  p: Profile,
  year: number,
): Rec[] {
  const r = rngFor(inst.key, 'equipment', typeId)
  const kinds = equipmentKinds[typeId].map((k) => [k, k.weight] as const)
  // Scientific devices belong to labs; IT and other devices to any unit.
  const units = inst.units
    .filter((u) => typeId !== 10 || !u.institutionalId.startsWith('DEPT-ADMIN'))
    .map((u) => u.institutionalId)
  const rows: Rec[] = []
  for (let i = 0; i < p.equipment[typeId]; i++) {
    const k = weighted(r, kinds)
    const loose = k.sub === '' && looseSubClasses[k.cls] && chance(r, 0.15)
    const h = hours(r, k)
    const row: Rec = {
      unit_institutional_id: pick(r, units),
      equipment_id: `${equipmentPrefix[typeId]}-${inst.key.toUpperCase()}-${String(i + 1).padStart(4, '0')}`,
      name: pick(r, k.names),
      equipment_class: k.cls,
      sub_class: loose ? looseSubClasses[k.cls]! : k.sub,
      active_usage_hours_per_week: h.active,
      standby_usage_hours_per_week: h.standby,
    }
    // The inventory is stable; about 7% of the devices are absent in a given year.
    if (rngFor(inst.key, year, row.equipment_id!)() < 0.93) rows.push(row)
  }
  return rows
}

// ---------------------------------------------------------------------------------------
// Purchases, cloud, AI, process
// ---------------------------------------------------------------------------------------

function purchaseRows(inst: DemoInstitution, typeId: number, p: Profile, year: number): Rec[] {
  const r = rngFor(inst.key, year, 'purchase', typeId)
  const codes = purchaseCodes.filter((c) => c.typeId === typeId)
  const rates = ratesOf(year)
  const units = inst.units.map((u) => u.institutionalId)
  // Laboratory goods are bought by the labs, not by the administration.
  const labs = units.filter((u) => u !== 'DEPT-ADMIN')
  const rows: Rec[] = []
  for (let i = 0; i < (p.purchases[typeId] ?? 0); i++) {
    const c = pick(r, codes)
    const byLab = typeId === 60 || typeId === 63 || c.code.startsWith('lab-')
    const roll = r()
    const extra =
      roll < 0.45 && c.extra.length > 0
        ? pick(r, c.extra)[0]
        : roll < 0.55 && c.extraWithoutFactor.length > 0
          ? pick(r, c.extraWithoutFactor)
          : ''
    const currency = weighted(r, currencyWeights)
    const amount = logUniform(r, c.chf[0], c.chf[1]) / (currency === 'chf' ? 1 : rates[currency]!)
    // An item matching the finer code when there is one (laptops: "Laptops").
    const stem = extra.slice(0, 6)
    const matching = c.items.filter((item) => stem && item.toLowerCase().includes(stem))
    rows.push({
      unit_institutional_id: pick(r, byLab ? labs : units),
      name: pick(r, matching.length > 0 ? matching : c.items),
      total_spent_amount: currency === 'jpy' ? String(Math.round(amount)) : amount.toFixed(2),
      purchase_institutional_code: c.code,
      currency: currency === 'chf' && chance(r, 0.3) ? '' : currency,
      supplier: chance(r, 0.85) ? pick(r, c.suppliers) : '',
      quantity: chance(r, 0.6) ? String(int(r, 1, c.chf[1] > 5_000 ? 3 : 50)) : '',
      purchase_institutional_description: chance(r, 0.7) ? c.description : '',
      purchase_additional_code: extra,
    })
  }
  if (p.overrides && typeId === 64 && rows[0]) {
    Object.assign(rows[0], {
      name: 'Sequencing service',
      total_spent_amount: '8420.00',
      purchase_institutional_code: 'consulting',
      currency: 'chf',
      supplier: 'Microsynth',
      quantity: '',
      purchase_institutional_description: 'Consulting and analyses',
      purchase_additional_code: 'sequencing',
      kg_co2eq: '1840.5',
      note: 'Footprint reported by the supplier',
    })
  }
  return rows
}

function cloudRows(inst: DemoInstitution, p: Profile, year: number): Rec[] {
  const r = rngFor(inst.key, year, 'clouds')
  const known = new Set(cloudFactors.map(([s, prov]) => `${s}|${prov}`))
  return p.clouds.flatMap(([unit, service, provider, amount, currency, times]) => {
    if (!known.has(`${service}|${provider}`))
      throw new Error(`no cloud factor ${service}/${provider}`)
    return Array.from({ length: times }, (_, i) => ({
      unit_institutional_id: inst.units[unit]!.institutionalId,
      service_type: service,
      provider,
      spent_amount: ((amount / times) * (0.85 + 0.3 * r())).toFixed(2),
      currency,
      note:
        times === 4
          ? `Q${i + 1} ${year} invoice`
          : times === 2
            ? `H${i + 1} ${year} invoice`
            : `${year} invoice`,
    }))
  })
}

function aiRows(inst: DemoInstitution, p: Profile): Rec[] {
  const known = new Set(aiFactors.map(([prov, usage]) => `${prov}|${usage}`))
  return p.ai.map(([unit, provider, usage, band, fte]) => {
    if (!known.has(`${provider}|${usage}`)) throw new Error(`no AI factor ${provider}/${usage}`)
    return {
      unit_institutional_id: inst.units[unit]!.institutionalId,
      provider,
      usage_type: usage,
      requests_per_user_per_day: band,
      fte_count: String(fte),
    }
  })
}

function processRows(inst: DemoInstitution, p: Profile, year: number): Rec[] {
  const r = rngFor(inst.key, year, 'process')
  return p.process.map(([unit, category, subcategory, kg, note]) => ({
    unit_institutional_id: inst.units[unit]!.institutionalId,
    category,
    subcategory,
    quantity: String(Math.round(kg * (0.8 + 0.4 * r()) * 10) / 10),
    note,
  }))
}

// ---------------------------------------------------------------------------------------

function entryTable(
  typeId: number,
  rows: readonly Rec[],
): { dataEntryTypeId: number; table: DemoTable } {
  const format = dataFormatFor(typeId)
  if (!format) throw new Error(`no format for data-entry type ${typeId}`)
  const names = dataUploadColumns(format, true).map((c) => c.name)
  return { dataEntryTypeId: typeId, table: toTable(names, rows) }
}

export function generateEntries(
  inst: DemoInstitution,
  year: number,
): { dataEntryTypeId: number; table: DemoTable }[] {
  const p = profiles[inst.key]
  const staff = staffOf(inst, p, year)
  const members = staff.map((s) => ({
    unit_institutional_id: s.unit,
    name: s.name,
    sius_code: s.sius,
    user_institutional_id: s.id,
    fte: String(s.fte),
  }))
  const tables = [
    entryTable(1, members),
    entryTable(20, planeRows(inst, p, year, staff)),
    entryTable(21, trainRows(inst, p, year, staff)),
    entryTable(31, fuelRows(inst, p, year)),
    ...([10, 11, 12] as const).map((id) => entryTable(id, equipmentRows(inst, id, p, year))),
    ...[60, 61, 62, 63, 64, 65, 66].map((id) => entryTable(id, purchaseRows(inst, id, p, year))),
    entryTable(40, cloudRows(inst, p, year)),
    entryTable(41, aiRows(inst, p)),
    entryTable(50, processRows(inst, p, year)),
  ]
  return tables.filter((t) => t.table.rows.length > 0)
}
