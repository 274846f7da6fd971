/**
 * What the demo institutions have, for the generators of demo-entries.ts: sizes, buildings,
 * cloud and AI contracts, process emissions, and the weighted lists trips are drawn from.
 *
 * Weighted lists are written "item:weight;item:weight" (see `weights`). Station names are
 * exactly as in the Trainline dataset that locations.ts loads (the test checks each one).
 */

export type Weighted = readonly (readonly [string, number])[]

/** Parses "a:1;b:2.5" into [["a", 1], ["b", 2.5]] (the weight is after the last colon). */
export function weights(spec: string): Weighted {
  return spec
    .split(';')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const at = part.lastIndexOf(':')
      return [part.slice(0, at), Number(part.slice(at + 1))] as const
    })
}

export interface Profile {
  /** Number of the first 5-digit user id. */
  idBase: number
  /** Staff pool; about 88% of it is present in a given year. */
  people: number
  /** Relative headcount per unit, in the institution's unit order. */
  unitWeights: readonly number[]
  homeAirports: Weighted
  homeStation: string
  planeRows: number
  trainRows: number
  /** Inventory size per equipment type (about 93% present in a given year). */
  equipment: Readonly<Record<10 | 11 | 12, number>>
  /** Rows per purchase type. */
  purchases: Readonly<Record<number, number>>
  /** [unit index, fuel, quantity, unit ('' = the factor's), note]. */
  fuels: readonly (readonly [number, string, number, string, string])[]
  /** [unit index, service, provider, yearly amount, currency ('' = eur), invoices per year]. */
  clouds: readonly (readonly [number, string, string, number, string, number])[]
  /** [unit index, provider, usage, requests band, fte]. */
  ai: readonly (readonly [number, string, string, string, number])[]
  /** [unit index, category, subcategory, kg, note]. */
  process: readonly (readonly [number, string, string, number, string])[]
  /** Whether a plane row and a service purchase carry a kg_co2eq override. */
  overrides: boolean
}

export const profiles: Readonly<Record<'a' | 'b', Profile>> = {
  // A: a mid-size department near Lausanne. Units: 0 LAB-CLIMATE, 1 LAB-ENERGY,
  // 2 LAB-BIOCHEM, 3 LAB-MATERIALS, 4 DEPT-ADMIN.
  a: {
    idBase: 10001,
    people: 115,
    unitWeights: [5, 4, 5, 4, 2],
    homeAirports: weights('GVA:70;ZRH:22;BSL:8'),
    homeStation: 'Lausanne',
    planeRows: 230,
    trainRows: 150,
    equipment: { 10: 55, 11: 160, 12: 30 },
    purchases: { 60: 18, 61: 30, 62: 60, 63: 35, 64: 30, 65: 3, 66: 15 },
    fuels: [
      [4, 'natural_gas', 260_000, 'kWh', 'Main building boiler Q1'],
      [4, 'natural_gas', 120_000, 'kWh', 'Main building boiler Q2'],
      [4, 'natural_gas', 60_000, 'kWh', 'Main building boiler Q3'],
      [4, 'natural_gas', 230_000, 'kWh', 'Main building boiler Q4'],
      [4, 'biomethane', 140_000, 'kWh', 'Main building biogas share of the gas contract'],
      [2, 'natural_gas', 320_000, 'kWh', 'Chemistry wing boiler'],
      [3, 'heating_oil', 95_000, '', 'Materials hall backup boiler'],
      [0, 'propane', 38_000, 'kWh', 'Greenhouse heating'],
      [0, 'wood_logs', 4_200, '', 'Alpine field station stove'],
      [1, 'pellets', 16_000, 'kg', 'Energy lab test building'],
      [4, 'forest_chips', 52_000, 'kg', 'Share of the campus wood-chip heating plant'],
    ],
    clouds: [
      [0, 'compute', 'aws', 19_000, 'usd', 4],
      [0, 'storage', 'aws', 3_200, 'usd', 4],
      [1, 'virtualisation', 'azure', 7_600, 'eur', 2],
      [3, 'compute', 'gcp', 5_400, 'usd', 1],
      [2, 'storage', 'gcp', 900, '', 1],
      [4, 'storage', 'switch', 2_400, 'chf', 1],
      [1, 'compute', 'switch', 4_800, 'eur', 1],
    ],
    ai: [
      [4, 'openai', 'text_generation', '5_20', 22],
      [0, 'openai', 'code_assistant', '20_100', 6],
      [2, 'anthropic', 'text_generation', '5_20', 8],
      [3, 'mistral', 'text_generation', '1_5', 12],
      [1, 'google', 'text_generation', '1_5', 10],
      [4, 'openai', 'image_generation', '1_5', 2],
    ],
    process: [
      [2, 'CO2', 'dry_ice', 850, 'Dry ice for sample shipping'],
      [0, 'CH4', '', 12, 'Calibration gas released'],
      [2, 'N2O', '', 4.5, 'Animal anaesthesia'],
      [2, 'Refrigerant', 'r134a', 3.2, 'Chiller leak (refilled)'],
      [4, 'Refrigerant', 'r410a', 2.1, 'Server room air conditioning top-up'],
      [2, 'Refrigerant', 'r404a', 1.5, 'Cold room leak'],
      [3, 'Refrigerant', 'r449a', 0.8, 'Freezer repair (no own factor: generic refrigerant)'],
    ],
    overrides: true,
  },
  // B: a small dataset that exists mainly to prove tenancy. Units: 0 LAB-OCEAN,
  // 1 LAB-ROBOTICS, 2 LAB-GENOMICS, 3 DEPT-PHYSICS.
  b: {
    idBase: 20001,
    people: 32,
    unitWeights: [3, 3, 3, 1],
    homeAirports: weights('ZRH:1'),
    homeStation: 'Zürich HB',
    planeRows: 24,
    trainRows: 16,
    equipment: { 10: 6, 11: 24, 12: 0 },
    purchases: { 62: 12, 64: 6 },
    fuels: [
      [3, 'natural_gas', 210_000, 'kWh', 'Physics building'],
      [0, 'heating_oil', 30_000, 'kWh', 'Harbour station'],
    ],
    clouds: [[1, 'compute', 'aws', 6_500, 'usd', 2]],
    ai: [],
    process: [],
    overrides: false,
  },
}

export const firstNames = (
  'Anna,Luca,Sofia,Noah,Mia,Elias,Léa,Matteo,Lina,David,Chloé,Jonas,Sara,Yann,Elena,Felix,' +
  'Nina,Marco,Julia,Samuel,Laura,Tim,Alice,Nicolas,Hana,Omar,Priya,Wei,Ana,Tomás,Ingrid,' +
  'Kofi,Maya,Pierre,Giulia,Lukas,Zoé,Raphaël,Amira,Jan'
).split(',')
export const lastNames = (
  'Müller,Meier,Schmid,Keller,Weber,Huber,Favre,Rochat,Bonvin,Rossi,Bernasconi,Fontana,' +
  'Dubois,Martin,Bianchi,Gerber,Brunner,Baumann,Fischer,Moser,Zimmermann,Frei,Roth,' +
  'Vuilleumier,Perret,Chen,Nguyen,Kumar,García,Silva,Novak,Kowalski,Andersson,Okafor,' +
  'Haddad,Tanaka,Papadopoulos,Ferrari,Blanc,Girard'
).split(',')

/** SIUS staff categories (51 professors ... 59 apprentices), head-count weights. */
export const siusWeights = weights('51:6;52:5;53:20;54:35;56:8;57:12;58:10;59:4')
export const fteWeights = weights('1:55;0.9:5;0.8:15;0.6:8;0.5:10;0.3:4;0.2:3')

export const europeAirports = weights(
  'LHR:8;CDG:7;AMS:6;FRA:4;MUC:4;BER:5;VIE:4;FCO:4;MAD:4;BCN:5;LIS:4;CPH:3;ARN:3;OSL:2;HEL:2;' +
    'DUB:3;BRU:3;ATH:3;WAW:2;PRG:2;BUD:2;EDI:3;MAN:2;NAP:1;PMI:1;OPO:2;HAM:2;IST:2;KEF:1;' +
    'TLS:1;RIX:1;SOF:1',
)
export const worldAirports = weights(
  'JFK:5;BOS:4;SFO:4;ORD:2;IAD:2;LAX:2;SEA:1;YUL:3;YVR:2;YYZ:2;NRT:2;HND:2;PEK:2;PVG:2;' +
    'HKG:1;SIN:3;ICN:1;DEL:1;BLR:1;DXB:1;TLV:1;GRU:1;SCL:1;MEX:1;JNB:1;CPT:2;NBO:1;SYD:1;' +
    'MEL:1;AKL:1',
)
export const tripNotes = [
  'EGU General Assembly',
  'AGU Fall Meeting',
  'Project meeting',
  'Fieldwork',
  'Invited seminar',
  'Summer school',
  'Thesis jury',
  'Review panel',
]

export const swissStations = weights(
  'Lausanne:10;Genève:8;Bern Hbf:8;Zürich HB:7;Basel SBB:4;Sion:3;Luzern Bahnhof:2;' +
    'Olten Bahnhof:2;Visp:1;Martigny:1;Morges:1;Vevey:1;Thun Bahnhof:1;Interlaken Ost:1;' +
    'Bellinzona:1;Zermatt:1;Davos Platz Bahnhof:1;Aarau Bahnhof:1;Renens VD:1',
)

/** Stations abroad by country, each with the Swiss station trips to it leave from. */
const foreignSpec: Readonly<Record<string, string>> = {
  FR: 'Lyon Part-Dieu>Genève:4;Paris Gare du Nord>Genève:4;Grenoble>Genève:2;Strasbourg>Basel SBB:1;Marseille St-Charles>Genève:1;Dijon Ville>Lausanne:1',
  DE: 'Frankfurt (Main) Hbf>Basel SBB:2;München Hbf>Zürich HB:2;Stuttgart Hbf>Zürich HB:1;Freiburg (Breisgau) Hbf>Basel SBB:2;Berlin Hbf>Basel SBB:1;Karlsruhe Hbf>Basel SBB:1;Köln Hbf>Basel SBB:1',
  IT: 'Milano Centrale>Lausanne:5;Torino Porta Nuova>Genève:2;Bologna Centrale>Lausanne:1;Firenze Santa Maria Novella>Lausanne:1;Venezia Santa Lucia>Lausanne:1',
  AT: 'Wien Hbf>Zürich HB:1;Salzburg Hbf>Zürich HB:1',
  NL: 'Amsterdam-Centraal>Basel SBB:1',
  BE: 'Bruxelles-Midi>Basel SBB:1',
  GB: 'London St-Pancras>Basel SBB:1',
}

export interface ForeignStation {
  country: string
  name: string
  gateway: string
}

export const foreignStations: readonly (readonly [ForeignStation, number])[] = Object.entries(
  foreignSpec,
).flatMap(([country, spec]) =>
  weights(spec).map(([station, w]) => {
    const [name = '', gateway = ''] = station.split('>')
    return [{ country, name, gateway }, w] as const
  }),
)

export const currencyWeights = weights(
  'chf:60;eur:18;usd:10;gbp:4;sek:2;jpy:2;cad:1.5;aud:1.5;cny:1',
)
