import { readFile } from 'node:fs/promises'

/**
 * Where a Node process spends its CPU, from a V8 CPU profile (`.cpuprofile`, as written by
 * `--cpu-prof` or the inspector's Profiler.stop): self time grouped by what the code belongs
 * to (a package, the server's sources, Node's internals, the garbage collector), idle left out.
 * The profiler samples wall time while the thread is not idle: on a busy machine that includes
 * time spent waiting for a core (inside a system call, say), so read the figures as shares.
 */
interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string }
}

export interface CpuProfile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
}

export interface CpuShare {
  category: string
  ms: number
}

const categories: [string, (url: string, fn: string) => boolean][] = [
  ['garbage collector', (_, fn) => fn === '(garbage collector)'],
  ['V8 and native code (program)', (_, fn) => fn === '(program)'],
  ['drizzle-orm', (url) => url.includes('/drizzle-orm/')],
  ['postgres.js', (url) => url.includes('/postgres/src/') || url.includes('/postgres/cjs/')],
  ['pg (node-postgres)', (url) => /\/(pg|pg-protocol|pg-pool|pg-types)\//.test(url)],
  ['graphile-worker', (url) => url.includes('/graphile-worker/')],
  ['server sources', (url) => url.includes('/server/src/')],
  ['shared sources', (url) => url.includes('/shared/src/')],
  ['benchmark sources', (url) => url.includes('/bench/')],
  ['zod', (url) => url.includes('/zod/')],
  ['Node.js internals', (url) => url.startsWith('node:')],
  [
    'socket writes (native)',
    (url, fn) => url === '' && /^(writeBuffer|writev|writeUtf8String|writeLatin1String)$/.test(fn),
  ],
  ['microtask queue (native)', (url, fn) => url === '' && fn === 'runMicrotasks'],
  ['other native functions', (url) => url === ''],
]

export function categoryOf(url: string, functionName: string): string {
  return categories.find(([, test]) => test(url, functionName))?.[0] ?? 'other'
}

/** Self time by category over one or more profiles, in ms, largest first; idle excluded. */
export function cpuByCategory(profiles: readonly CpuProfile[]): CpuShare[] {
  const totals = new Map<string, number>()
  for (const p of profiles) {
    const byId = new Map(p.nodes.map((n) => [n.id, n]))
    p.samples.forEach((id, i) => {
      const node = byId.get(id)
      if (!node || node.callFrame.functionName === '(idle)') return
      const category = categoryOf(node.callFrame.url, node.callFrame.functionName)
      totals.set(category, (totals.get(category) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000)
    })
  }
  return [...totals].map(([category, ms]) => ({ category, ms })).sort((a, b) => b.ms - a.ms)
}

export async function readCpuProfile(file: string): Promise<CpuProfile> {
  return JSON.parse(await readFile(file, 'utf8')) as CpuProfile
}
