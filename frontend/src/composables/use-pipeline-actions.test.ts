import { flushPromises } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { defineComponent, h } from 'vue'
import { useAnnouncer } from '../stores/announcer'
import { usePipelineState } from '../stores/pipeline-state'
import { mountApp, testContext } from '../testing/mount-app'
import { makeJob, makePipeline } from '../testing/pipelines'
import { usePipelineActions } from './use-pipeline-actions'

afterEach(() => vi.unstubAllGlobals())

let actions: ReturnType<typeof usePipelineActions>
const Host = defineComponent({
  setup() {
    actions = usePipelineActions()
    return () => h('p')
  },
})

describe('recover', () => {
  it("says the server's reason on a 409, and reads the pipeline as it is now", async () => {
    const retried = makePipeline(42, 'RUNNING', [
      makeJob(1, { result: 'ERROR' }),
      makeJob(2, { retryOf: 1, state: 'RUNNING', result: null, finishedAt: null }),
    ])
    const requests: string[] = []
    vi.stubGlobal('fetch', async (url: string, init?: RequestInit) => {
      requests.push(`${init?.method ?? 'GET'} ${url}`)
      if (url.endsWith('/recover'))
        return Response.json(
          {
            error: {
              code: 'conflict',
              message: 'Job 1 was already recovered: job 2 retries it',
              details: { retriedBy: 2 },
            },
          },
          { status: 409 },
        )
      return Response.json(retried)
    })
    const context = testContext()
    const w = mountApp(Host, {}, context)
    await actions.recover(1, 42)
    await flushPromises()
    await new Promise((resolve) => setTimeout(resolve, 80))

    expect(useAnnouncer(context.pinia).message).toBe(
      'Job 1 was already recovered: job 2 retries it',
    )
    expect(requests).toEqual(['POST /api/v1/sync/jobs/1/recover', 'GET /api/v1/sync/pipelines/42'])
    expect(
      usePipelineState(context.pinia)
        .pipeline(42)
        ?.jobs.map((j) => j.retryOf),
    ).toEqual([null, 1])
    w.unmount()
  })
})
