/** Module types and their data-entry types (SPEC §3). Ids are stable and stored. */
export interface ModuleTypeDef {
  /** Stable numeric id. */
  id: number
  /** Machine key. */
  key: string
  /** Label for people. */
  label: string
}

export interface DataEntryTypeDef {
  /** Stable numeric id. */
  id: number
  /** Machine key, also the template file name. */
  key: string
  /** Label for people. */
  label: string
  /** Module type the data-entry type belongs to. */
  moduleTypeId: number
}

export const moduleTypes: readonly ModuleTypeDef[] = [
  { id: 1, key: 'headcount', label: 'Headcount' },
  { id: 2, key: 'professional_travel', label: 'Professional travel' },
  { id: 3, key: 'buildings', label: 'Buildings' },
  { id: 4, key: 'equipment', label: 'Equipment' },
  { id: 5, key: 'purchase', label: 'Purchases' },
  { id: 6, key: 'research_facilities', label: 'Research facilities' },
  { id: 7, key: 'external_cloud_and_ai', label: 'External cloud and AI' },
  { id: 8, key: 'process_emissions', label: 'Process emissions' },
]

export const dataEntryTypes: readonly DataEntryTypeDef[] = [
  { id: 1, key: 'member', label: 'Members', moduleTypeId: 1 },
  { id: 2, key: 'student', label: 'Students', moduleTypeId: 1 },
  { id: 20, key: 'plane', label: 'Plane trips', moduleTypeId: 2 },
  { id: 21, key: 'train', label: 'Train trips', moduleTypeId: 2 },
  { id: 30, key: 'building_room', label: 'Building rooms', moduleTypeId: 3 },
  { id: 31, key: 'energy_combustion', label: 'Energy combustion', moduleTypeId: 3 },
  { id: 32, key: 'embodied_energy', label: 'Embodied energy', moduleTypeId: 3 },
  { id: 10, key: 'scientific', label: 'Scientific equipment', moduleTypeId: 4 },
  { id: 11, key: 'it', label: 'IT equipment', moduleTypeId: 4 },
  { id: 12, key: 'other', label: 'Other equipment', moduleTypeId: 4 },
  { id: 60, key: 'scientific_equipment', label: 'Scientific equipment', moduleTypeId: 5 },
  { id: 61, key: 'it_equipment', label: 'IT equipment', moduleTypeId: 5 },
  { id: 62, key: 'consumable_accessories', label: 'Consumables and accessories', moduleTypeId: 5 },
  {
    id: 63,
    key: 'biological_chemical_gaseous_product',
    label: 'Biological, chemical and gaseous products',
    moduleTypeId: 5,
  },
  { id: 64, key: 'services', label: 'Services', moduleTypeId: 5 },
  { id: 65, key: 'vehicles', label: 'Vehicles', moduleTypeId: 5 },
  { id: 66, key: 'other_purchases', label: 'Other purchases', moduleTypeId: 5 },
  { id: 67, key: 'additional_purchases', label: 'Additional purchases', moduleTypeId: 5 },
  { id: 70, key: 'research_facility', label: 'Research facilities', moduleTypeId: 6 },
  { id: 71, key: 'animal_facility', label: 'Animal facilities', moduleTypeId: 6 },
  { id: 40, key: 'external_clouds', label: 'External clouds', moduleTypeId: 7 },
  { id: 41, key: 'external_ai', label: 'External AI', moduleTypeId: 7 },
  { id: 50, key: 'process_emissions', label: 'Process emissions', moduleTypeId: 8 },
]

const moduleById = new Map(moduleTypes.map((m) => [m.id, m]))
const typeById = new Map(dataEntryTypes.map((t) => [t.id, t]))
const typeByKey = new Map(dataEntryTypes.map((t) => [t.key, t]))

export function findModuleType(id: number): ModuleTypeDef | undefined {
  return moduleById.get(id)
}

export function findDataEntryType(id: number): DataEntryTypeDef | undefined {
  return typeById.get(id)
}

export function findDataEntryTypeByKey(key: string): DataEntryTypeDef | undefined {
  return typeByKey.get(key)
}

export function dataEntryTypesOfModule(moduleTypeId: number): DataEntryTypeDef[] {
  return dataEntryTypes.filter((t) => t.moduleTypeId === moduleTypeId)
}
