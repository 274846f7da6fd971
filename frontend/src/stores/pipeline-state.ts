import type { Pipeline, PipelineSummary } from '@carbon-sync/shared'
import { defineStore } from 'pinia'
import { ref, shallowReactive } from 'vue'
import type { ActivePipelines } from '../api/sync'
import { isTerminal } from '../lib/pipeline-text'

/**
 * One place for what the page knows about pipelines (SPEC §8), fed by two sources that race:
 * the bulk active-pipelines endpoint (through vue-query) and the per-pipeline SSE streams.
 *
 * Invariants:
 * - per pipeline id, the highest `version` seen wins, whichever source brought it; a snapshot
 *   whose version is lower than or equal to the one held is ignored (a late REST answer or a
 *   replayed event must never move the UI backwards). The one exception is a heartbeat: it
 *   does not bump the version, so a snapshot of the same version may bring newer
 *   `heartbeatAt`s, and only those are taken from it;
 * - per `moduleTypeId:year`, `active` points at the newest non-terminal pipeline and `last` at
 *   the newest terminal one; a pipeline that ends moves from `active` to `last`, and the key
 *   notes when (client clock) it was seen ending, so that a module status read before that
 *   moment can be known to be stale.
 */

export type ModuleKey = `${number}:${number}`

export function moduleKey(moduleTypeId: number, year: number): ModuleKey {
  return `${moduleTypeId}:${year}`
}

export interface ModulePipelines {
  /** The pipeline running for the module and year, if any. */
  active: PipelineSummary | null
  /** The last one that ended. */
  last: PipelineSummary | null
}

interface ModulePointers {
  activeId: number | null
  lastId: number | null
}

export function summaryOf(p: Pipeline): PipelineSummary {
  return { pipelineId: p.id, status: p.status, version: p.version, progress: p.progress }
}

export const usePipelineState = defineStore('pipelineState', () => {
  /** Full snapshots (with jobs), by pipeline id. Replaced whole, so shallow is enough. */
  const pipelines = shallowReactive(new Map<number, Pipeline>())
  /** The best summary known per pipeline id (from snapshots or from active-pipelines). */
  const summaries = shallowReactive(new Map<number, PipelineSummary>())
  /** Which pipelines are active and last, by `moduleTypeId:year`. */
  const modules = shallowReactive(new Map<ModuleKey, ModulePointers>())
  /** When (Date.now()) a pipeline of each `moduleTypeId:year` was last seen ending. */
  const endedAt = shallowReactive(new Map<ModuleKey, number>())
  /** Bumped each time a pipeline is seen ending: what depends on finished work refetches. */
  const endedCount = ref(0)
  const lastEnded = ref<Pipeline | null>(null)

  /** Records a summary unless a newer one is held; returns the one that stands. */
  function noteSummary(s: PipelineSummary): PipelineSummary {
    const held = summaries.get(s.pipelineId)
    if (held && held.version >= s.version) return held
    summaries.set(s.pipelineId, s)
    return s
  }

  function place(key: ModuleKey, s: PipelineSummary): void {
    const at = modules.get(key) ?? { activeId: null, lastId: null }
    const next = { ...at }
    if (isTerminal(s.status)) {
      if (next.activeId === s.pipelineId) next.activeId = null
      if (next.lastId === null || next.lastId <= s.pipelineId) next.lastId = s.pipelineId
    } else if (next.activeId === null || next.activeId <= s.pipelineId) {
      next.activeId = s.pipelineId
    }
    if (next.activeId !== at.activeId || next.lastId !== at.lastId || !modules.has(key))
      modules.set(key, next)
  }

  /**
   * Applies a full pipeline snapshot (SSE event or REST answer). Returns false, and changes
   * nothing but later heartbeats of the same version, when the version is not newer than the
   * one held.
   */
  function applySnapshot(p: Pipeline): boolean {
    const held = pipelines.get(p.id)
    if (held && held.version === p.version) refreshHeartbeats(held, p)
    if (held && held.version >= p.version) return false
    const before = summaries.get(p.id)
    pipelines.set(p.id, p)
    const standing = noteSummary(summaryOf(p))
    place(moduleKey(p.moduleTypeId, p.year), standing)
    // An end is news only if the pipeline was known to be running: reading an old, finished
    // pipeline (a card's last upload, a detail page) must not refetch the whole page.
    const wasRunning =
      (held !== undefined && !isTerminal(held.status)) ||
      (before !== undefined && !isTerminal(before.status))
    if (isTerminal(standing.status) && wasRunning) {
      endedAt.set(moduleKey(p.moduleTypeId, p.year), Date.now())
      lastEnded.value = p
      endedCount.value++
    }
    return true
  }

  /** Same version, later heartbeats (a REST read of a running pipeline): take those only. */
  function refreshHeartbeats(held: Pipeline, p: Pipeline): void {
    const newer = new Map<number, string>()
    for (const job of p.jobs) {
      const before = held.jobs.find((j) => j.id === job.id)?.heartbeatAt
      if (job.heartbeatAt && (!before || Date.parse(job.heartbeatAt) > Date.parse(before)))
        newer.set(job.id, job.heartbeatAt)
    }
    if (newer.size === 0) return
    pipelines.set(held.id, {
      ...held,
      jobs: held.jobs.map((j) => (newer.has(j.id) ? { ...j, heartbeatAt: newer.get(j.id)! } : j)),
    })
  }

  /** Takes in the bulk answer of `GET /api/v1/sync/active-pipelines` for a year. */
  function hydrate(year: number, answer: ActivePipelines['modules']): void {
    for (const [id, entry] of Object.entries(answer)) {
      const key = moduleKey(Number(id), year)
      const last = entry.last ? noteSummary(entry.last) : null
      const active = entry.active ? noteSummary(entry.active) : null
      if (last) place(key, last)
      if (active) place(key, active)
      const at = modules.get(key)
      if (!active && at?.activeId != null) {
        // The server knows of nothing running. Keep ours only if it is newer than anything the
        // server has seen end (it started after the query did) and we do not know it ended.
        const ours = summaries.get(at.activeId)
        const newer = at.activeId > (last?.pipelineId ?? 0)
        if (!newer || !ours || isTerminal(ours.status)) {
          modules.set(key, { ...at, activeId: null })
          endedAt.set(key, Date.now())
        }
      }
      if (!modules.has(key)) modules.set(key, { activeId: null, lastId: null })
    }
  }

  function moduleState(moduleTypeId: number, year: number): ModulePipelines {
    const at = modules.get(moduleKey(moduleTypeId, year))
    const pick = (id: number | null | undefined) =>
      id === null || id === undefined ? null : (summaries.get(id) ?? null)
    return { active: pick(at?.activeId), last: pick(at?.lastId) }
  }

  /** When a pipeline of the module and year was last seen ending (0: not in this session). */
  function moduleEndedAt(moduleTypeId: number, year: number): number {
    return endedAt.get(moduleKey(moduleTypeId, year)) ?? 0
  }

  function pipeline(id: number): Pipeline | undefined {
    return pipelines.get(id)
  }

  function summary(id: number): PipelineSummary | undefined {
    return summaries.get(id)
  }

  /** Pipelines held in full that are not finished, e.g. to find the one running for a type. */
  function runningPipelines(): Pipeline[] {
    return [...pipelines.values()].filter(
      (p) => !isTerminal(summaries.get(p.id)?.status ?? p.status),
    )
  }

  /** Signing out: nothing of the previous user may remain. */
  function reset(): void {
    pipelines.clear()
    summaries.clear()
    modules.clear()
    endedAt.clear()
    lastEnded.value = null
  }

  return {
    pipelines,
    summaries,
    modules,
    endedAt,
    endedCount,
    lastEnded,
    applySnapshot,
    hydrate,
    moduleState,
    moduleEndedAt,
    pipeline,
    summary,
    runningPipelines,
    reset,
  }
})
