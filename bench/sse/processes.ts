import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import {
  startServerProcess,
  type ServerProcess,
} from '@carbon-sync/server/test/helpers/processes.ts'
import { sleep } from '../lib/benchmark.ts'
import { median } from '../lib/stats.ts'

/**
 * The server processes of the SSE benchmark (`node --import tsx src/main.ts <role>`, as
 * deployed), and what is read from them: resident memory from /proc and gauges from /metrics.
 */
export interface Started {
  process: ServerProcess
  /** Stops it (SIGTERM, SIGKILL after `graceMs`) and waits for its exit. */
  stop(graceMs?: number): Promise<void>
}

export function startRole(role: 'api' | 'worker', env: Record<string, string>): Started {
  const p = startServerProcess(role, env)
  let stopped: Promise<void> | undefined
  return {
    process: p,
    stop: (graceMs = 15_000) =>
      (stopped ??= (async () => {
        if (p.child.exitCode !== null || p.child.signalCode !== null) return
        p.kill('SIGTERM')
        const timer = setTimeout(() => p.kill('SIGKILL'), graceMs)
        await p.exited
        clearTimeout(timer)
      })()),
  }
}

/** The URL an API process prints once it listens; fails if it exits or takes too long. */
export async function urlOf(p: ServerProcess, timeoutMs = 180_000): Promise<string> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([
      p.url,
      p.exited.then((code) => {
        throw new Error(`the api process exited (${code}) before listening:\n${p.output()}`)
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`the api process did not listen within ${timeoutMs} ms`)),
          timeoutMs,
        )
      }),
    ])
  } finally {
    clearTimeout(timer)
  }
}

const clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100

/** CPU time (user + system) a process has used so far, in ms, from /proc (Linux). */
export function cpuTimeMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // Fields after the command name (which may hold spaces), from the 3rd: utime is the 14th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks
}

/** Resident memory of a process, in bytes (Linux). */
export function residentBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)
  if (!kb) throw new Error(`no VmRSS for process ${pid}`)
  return Number(kb[1]) * 1024
}

/** NODE_OPTIONS for the API process: a full collection on SIGUSR2 (gc-preload.mjs). */
export const gcOnSignalOptions = `--expose-gc --import=${
  pathToFileURL(path.join(path.dirname(fileURLToPath(import.meta.url)), 'gc-preload.mjs')).href
}`

/** Memory of the API process after full garbage collections (medians of a few readings). */
export interface MemoryReading {
  residentBytes: number
  heapUsedBytes: number | undefined
}

export async function memoryAfterGc(
  baseUrl: string,
  pid: number,
  readings = 3,
): Promise<MemoryReading> {
  const rss: number[] = []
  const heap: number[] = []
  for (let i = 0; i < readings; i++) {
    process.kill(pid, 'SIGUSR2')
    await sleep(1000)
    rss.push(residentBytes(pid))
    const h = (await streamGauges(baseUrl)).heapUsedBytes
    if (h !== undefined) heap.push(h)
  }
  return {
    residentBytes: median(rss),
    heapUsedBytes: heap.length > 0 ? median(heap) : undefined,
  }
}

/** The sum of a metric's samples (all label sets) in a Prometheus text page. */
export function metricValue(page: string, name: string): number | undefined {
  let found: number | undefined
  for (const line of page.split('\n')) {
    if (line.startsWith('#')) continue
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{[^}]*\})? (\S+)/.exec(line)
    if (m && m[1] === name) found = (found ?? 0) + Number(m[2])
  }
  return found
}

export interface StreamGauges {
  sessions: number
  channels: number
  heapUsedBytes: number | undefined
}

export async function streamGauges(baseUrl: string): Promise<StreamGauges> {
  const res = await fetch(`${baseUrl}/metrics`)
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`)
  const page = await res.text()
  const sessions = metricValue(page, 'carbon_sync_sse_sessions')
  const channels = metricValue(page, 'carbon_sync_sse_channels')
  if (sessions === undefined || channels === undefined)
    throw new Error('/metrics has no carbon_sync_sse_sessions or carbon_sync_sse_channels')
  return {
    sessions,
    channels,
    heapUsedBytes:
      metricValue(page, 'carbon_sync_nodejs_heap_size_used_bytes') ??
      metricValue(page, 'carbon_sync_process_nodejs_heap_size_used_bytes'),
  }
}
