import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openPglite, type Database } from './client.ts'
import { publicMessageOf } from './errors.ts'

let database: Database

beforeAll(async () => {
  database = await openPglite({})
})
afterAll(() => database.close())

describe('publicMessageOf', () => {
  it('gives the database’s own message and SQLSTATE, never the statement or its values', async () => {
    const error = await database.db.execute(sql`SELECT ${'secret value'}::int`).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(String((error as Error).message)).toContain('Failed query')
    const message = publicMessageOf(error)
    expect(message).toMatch(/^database error 22P02: invalid input syntax for type integer/)
    expect(message).not.toContain('SELECT')
  })

  it('keeps the message of an error that is not the database’s', () => {
    expect(publicMessageOf(new Error('no factor table for 2031'))).toBe('no factor table for 2031')
    expect(publicMessageOf('plain text')).toBe('plain text')
  })
})
