// Throughput check for readCsv: pnpm exec tsx shared/src/csv/bench-read-csv.ts
import { readCsv } from './read-csv'

const ROWS = 1_000_000
const CHUNK = 64 * 1024

function generate(rows: number): Uint8Array {
  const lines = ['date,site,category,activity,quantity,unit,supplier,comment']
  const categories = ['electricity', 'natural_gas', 'diesel', 'flight', 'rail', 'waste']
  for (let i = 0; i < rows; i++) {
    const day = String((i % 28) + 1).padStart(2, '0')
    // Roughly one row in ten has a quoted cell, as in typical exports.
    const comment = i % 10 === 0 ? `"Invoice ${i}, ""Q1"" adj."` : `inv-${i}`
    lines.push(
      `2024-03-${day},SITE-${i % 500},${categories[i % 6]},meter reading,` +
        `${(i * 7.31) % 10_000},kWh,Supplier ${i % 37},${comment}`,
    )
  }
  return new TextEncoder().encode(lines.join('\n') + '\n')
}

function* chunks(bytes: Uint8Array): Generator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += CHUNK) yield bytes.subarray(at, at + CHUNK)
}

async function run(bytes: Uint8Array): Promise<{ ms: number; records: number }> {
  const started = performance.now()
  const reader = readCsv(chunks(bytes))
  let cells = 0
  for (;;) {
    const step = await reader.next()
    if (step.done) {
      if (cells === 0) throw new Error('no cells read')
      return { ms: performance.now() - started, records: step.value.records }
    }
    for (const record of step.value) cells += record.cells.length
  }
}

const bytes = generate(ROWS)
console.log(`input: ${ROWS} rows, ${(bytes.length / 1e6).toFixed(1)} MB, ${CHUNK} B chunks`)
for (let round = 1; round <= 3; round++) {
  const { ms, records } = await run(bytes)
  const rate = Math.round(records / (ms / 1000))
  console.log(
    `round ${round}: ${records} rows in ${ms.toFixed(0)} ms = ${rate.toLocaleString('en-US')} rows/s, ` +
      `${(bytes.length / 1e6 / (ms / 1000)).toFixed(0)} MB/s`,
  )
}
