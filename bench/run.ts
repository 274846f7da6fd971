/**
 * `pnpm bench [name...]`: runs every benchmark under bench/<name>/ (a directory whose index.ts
 * exports `benchmark`), or only those named. Exits non-zero if one of them fails.
 */
import { existsSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Benchmark } from './lib/benchmark.ts'
import { benchDir } from './lib/results.ts'

function available(): string[] {
  return readdirSync(benchDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('.') && d.name !== 'node_modules')
    .filter((d) => existsSync(path.join(benchDir, d.name, 'index.ts')))
    .map((d) => d.name)
    .sort()
}

async function load(name: string): Promise<Benchmark> {
  const url = pathToFileURL(path.join(benchDir, name, 'index.ts')).href
  const mod = (await import(url)) as { benchmark?: Benchmark }
  if (!mod.benchmark) throw new Error(`bench/${name}/index.ts does not export "benchmark"`)
  return mod.benchmark
}

async function main(): Promise<number> {
  const all = available()
  const requested = process.argv.slice(2).filter((a) => a !== '--')
  const unknown = requested.filter((n) => !all.includes(n))
  if (unknown.length > 0) {
    console.error(
      `Unknown benchmark: ${unknown.join(', ')}. Available: ${all.join(', ') || 'none'}`,
    )
    return 2
  }
  const names = requested.length > 0 ? requested : all
  if (names.length === 0) {
    console.log('No benchmarks under bench/*/')
    return 0
  }
  let failed = 0
  for (const name of names) {
    const benchmark = await load(name)
    console.log(`\n== ${benchmark.name}: ${benchmark.description}`)
    try {
      await benchmark.run()
    } catch (error) {
      failed++
      console.error(`Benchmark ${name} failed:`, error)
    }
  }
  return failed > 0 ? 1 : 0
}

process.exitCode = await main()
