import type { Pipeline, PipelineStatus } from '@carbon-sync/shared'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { makeJob } from '../testing/pipelines'
import { usePipelineState } from './pipeline-state'

function pipeline(
  id: number,
  version: number,
  status: PipelineStatus,
  phase: 1 | 2 | 3 = 1,
  extra: Partial<Pipeline> = {},
): Pipeline {
  const done = !['NOT_STARTED', 'RUNNING'].includes(status)
  return {
    id,
    kind: 'data',
    status,
    version,
    moduleTypeId: 2,
    dataEntryTypeId: 20,
    year: 2025,
    progress: {
      phase,
      phasesTotal: 3,
      phaseLabel: ['Inserting data', 'Recalculating emissions', 'Aggregating'][phase - 1]!,
      done,
      hasError: status === 'FAILED',
      processed: 0,
      total: null,
    },
    jobs: [],
    createdBy: 'Test',
    createdAt: '2025-01-01T00:00:00.000Z',
    finishedAt: done ? '2025-01-01T00:01:00.000Z' : null,
    ...extra,
  }
}

describe('pipelineState keeps the highest version', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('replaces a snapshot with a higher version', () => {
    const store = usePipelineState()
    expect(store.applySnapshot(pipeline(7, 3, 'RUNNING', 1))).toBe(true)
    expect(store.applySnapshot(pipeline(7, 4, 'RUNNING', 2))).toBe(true)
    expect(store.pipeline(7)?.version).toBe(4)
    expect(store.pipeline(7)?.progress.phase).toBe(2)
    expect(store.moduleState(2, 2025).active).toMatchObject({ pipelineId: 7, version: 4 })
  })

  it('ignores a snapshot with a lower or equal version', () => {
    const store = usePipelineState()
    store.applySnapshot(pipeline(7, 5, 'RUNNING', 2))
    expect(store.applySnapshot(pipeline(7, 4, 'RUNNING', 1))).toBe(false)
    expect(store.applySnapshot(pipeline(7, 5, 'RUNNING', 3))).toBe(false)
    expect(store.pipeline(7)).toMatchObject({ version: 5, progress: { phase: 2 } })
    expect(store.moduleState(2, 2025).active).toMatchObject({ version: 5 })
  })

  it('does not let an older active-pipelines answer move a streamed pipeline backwards', () => {
    const store = usePipelineState()
    store.applySnapshot(pipeline(7, 6, 'RUNNING', 3))
    const stale = pipeline(7, 2, 'RUNNING', 1)
    store.hydrate(2025, {
      '2': {
        active: { pipelineId: 7, status: 'RUNNING', version: 2, progress: stale.progress },
        last: null,
      },
    })
    expect(store.moduleState(2, 2025).active).toMatchObject({ version: 6, progress: { phase: 3 } })
  })

  it('moves a pipeline that ends from active to last of its module key', () => {
    const store = usePipelineState()
    store.applySnapshot(pipeline(3, 9, 'SUCCESS'))
    store.applySnapshot(pipeline(7, 1, 'RUNNING'))
    expect(store.moduleState(2, 2025)).toMatchObject({
      active: { pipelineId: 7 },
      last: { pipelineId: 3 },
    })
    const ended = store.endedCount

    store.applySnapshot(pipeline(7, 2, 'PARTIAL', 3))

    expect(store.moduleState(2, 2025).active).toBeNull()
    expect(store.moduleState(2, 2025).last).toMatchObject({ pipelineId: 7, status: 'PARTIAL' })
    expect(store.endedCount).toBe(ended + 1)
    expect(store.lastEnded?.id).toBe(7)
    // Another module and year are not touched.
    expect(store.moduleState(2, 2024)).toEqual({ active: null, last: null })
  })

  it('keeps the newest pipeline as last when an older one reports its end late', () => {
    const store = usePipelineState()
    store.applySnapshot(pipeline(9, 4, 'SUCCESS'))
    store.applySnapshot(pipeline(5, 4, 'FAILED'))
    expect(store.moduleState(2, 2025).last).toMatchObject({ pipelineId: 9 })
  })

  it('hydrates active and last from the bulk endpoint', () => {
    const store = usePipelineState()
    const running = pipeline(12, 3, 'RUNNING', 2)
    const done = pipeline(10, 8, 'FAILED', 1)
    store.hydrate(2025, {
      '2': {
        active: { pipelineId: 12, status: 'RUNNING', version: 3, progress: running.progress },
        last: { pipelineId: 10, status: 'FAILED', version: 8, progress: done.progress },
      },
      '3': { active: null, last: null },
    })
    expect(store.moduleState(2, 2025)).toMatchObject({
      active: { pipelineId: 12, progress: { phase: 2 } },
      last: { pipelineId: 10, status: 'FAILED' },
    })
    expect(store.moduleState(3, 2025)).toEqual({ active: null, last: null })
  })

  it('takes newer heartbeats from a snapshot of the same version, and nothing else', () => {
    const store = usePipelineState()
    const job = (heartbeatAt: string, statusMessage: string | null = null) => ({
      ...makeJob(70, { pipelineId: 7, state: 'RUNNING', result: null, finishedAt: null }),
      heartbeatAt,
      statusMessage,
    })
    store.applySnapshot(pipeline(7, 3, 'RUNNING', 1, { jobs: [job('2025-01-01T00:00:05.000Z')] }))
    // A REST read 10 s later: same version (heartbeats do not bump it), a later heartbeat.
    const later = pipeline(7, 3, 'RUNNING', 2, {
      jobs: [job('2025-01-01T00:00:15.000Z', 'not a real change')],
    })
    expect(store.applySnapshot(later)).toBe(false)
    expect(store.pipeline(7)?.jobs[0]?.heartbeatAt).toBe('2025-01-01T00:00:15.000Z')
    expect(store.pipeline(7)?.jobs[0]?.statusMessage).toBeNull()
    expect(store.pipeline(7)?.progress.phase).toBe(1)
    // An older heartbeat (a late answer) does not move it back.
    store.applySnapshot(pipeline(7, 3, 'RUNNING', 1, { jobs: [job('2025-01-01T00:00:10.000Z')] }))
    expect(store.pipeline(7)?.jobs[0]?.heartbeatAt).toBe('2025-01-01T00:00:15.000Z')
  })

  it('notes when a pipeline of a module was seen ending', () => {
    const store = usePipelineState()
    expect(store.moduleEndedAt(2, 2025)).toBe(0)
    // Read already finished: not news.
    store.applySnapshot(pipeline(3, 9, 'SUCCESS'))
    expect(store.moduleEndedAt(2, 2025)).toBe(0)
    const before = Date.now()
    store.applySnapshot(pipeline(7, 1, 'RUNNING'))
    store.applySnapshot(pipeline(7, 2, 'SUCCESS', 3))
    expect(store.moduleEndedAt(2, 2025)).toBeGreaterThanOrEqual(before)
    expect(store.moduleEndedAt(2, 2024)).toBe(0)
  })
})
