import { readCsv } from '@carbon-sync/shared'

/** The rows of a CSV the server sent (BOM, CRLF and quoting handled by the product's reader). */
export async function parseCsvText(text: string): Promise<string[][]> {
  const rows: string[][] = []
  for await (const batch of readCsv([Buffer.from(text)])) for (const r of batch) rows.push(r.cells)
  return rows
}
