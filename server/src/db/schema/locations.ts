import { sql } from 'drizzle-orm'
import { doublePrecision, integer, pgTable, serial, text, uniqueIndex } from 'drizzle-orm/pg-core'
import { institutions } from './institutions.ts'
import { jobs } from './jobs.ts'

/** Airports and train stations of an institution's reference data. */
export const locations = pgTable(
  'locations',
  {
    id: serial('id').primaryKey(),
    institutionId: integer('institution_id')
      .notNull()
      .references(() => institutions.id),
    transportMode: text('transport_mode', { enum: ['plane', 'train'] }).notNull(),
    name: text('name').notNull(),
    /** lower(name), the station key. */
    nameKey: text('name_key').notNull(),
    iataCode: text('iata_code'),
    countryCode: text('country_code'),
    latitude: doublePrecision('latitude').notNull(),
    longitude: doublePrecision('longitude').notNull(),
    municipality: text('municipality'),
    jobId: integer('job_id').references(() => jobs.id),
  },
  (t) => [
    uniqueIndex('locations_airport_uq')
      .on(t.institutionId, t.iataCode)
      .where(sql`transport_mode = 'plane'`),
    uniqueIndex('locations_station_uq')
      .on(t.institutionId, t.countryCode, t.nameKey)
      .where(sql`transport_mode = 'train'`),
  ],
)
