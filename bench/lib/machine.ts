import { readFileSync } from 'node:fs'
import os from 'node:os'
import type { Sql } from 'postgres'

/** Where a benchmark ran, for the record next to its figures. */
export interface MachineInfo {
  cpu: string
  cores: number
  ramGiB: number
  node: string
  postgres: string
}

function cpuModel(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'))
    const model = line?.split(':').slice(1).join(':').trim()
    if (model) return model
  } catch {
    // Not Linux: fall through to what Node reports.
  }
  return os.cpus()[0]?.model.trim() ?? 'unknown'
}

export async function machineInfo(sql: Sql): Promise<MachineInfo> {
  const [row] = await sql<{ server_version: string }[]>`SHOW server_version`
  return {
    cpu: cpuModel(),
    cores: os.availableParallelism(),
    ramGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    postgres: row?.server_version ?? 'unknown',
  }
}

export function describeMachine(m: MachineInfo): string {
  return `${m.cpu}, ${m.cores} cores, ${m.ramGiB} GiB RAM, Node ${m.node}, PostgreSQL ${m.postgres}`
}
