import { useQueryClient } from '@tanstack/vue-query'
import { useQuasar } from 'quasar'
import { ref } from 'vue'
import { isApiError } from '../api/http'
import ConfirmDialog from '../components/layout/ConfirmDialog.vue'
import { cancelPipeline, fetchPipeline, recalculate, recoverJob } from '../api/sync'
import { dataEntryTypeLabel, moduleLabel } from '../lib/pipeline-text'
import { useAnnouncer } from '../stores/announcer'
import { usePipelineState } from '../stores/pipeline-state'

/**
 * The actions on pipelines (SPEC §5.6): recalculate (data managers), cancel and recover
 * (admins). Each reports its outcome visibly (Notify) and to screen readers (live region),
 * and feeds the pipeline it gets back into the store.
 */
export function usePipelineActions() {
  const $q = useQuasar()
  const store = usePipelineState()
  const announcer = useAnnouncer()
  const client = useQueryClient()
  const busy = ref(false)

  function report(message: string, type: 'positive' | 'negative' | 'info') {
    $q.notify({ message, type })
    announcer.announce(message)
  }

  function failure(what: string, error: unknown) {
    const why = error instanceof Error ? error.message : String(error)
    report(`${what} failed: ${why}`, 'negative')
  }

  async function startRecalculation(year: number, moduleTypeId: number, dataEntryTypeId?: number) {
    busy.value = true
    const what = dataEntryTypeLabel(dataEntryTypeId ?? null) ?? moduleLabel(moduleTypeId)
    try {
      const started = await recalculate({ year, moduleTypeId, dataEntryTypeId })
      store.applySnapshot(started.pipeline)
      void client.invalidateQueries({ queryKey: ['pipelines'] })
      void client.invalidateQueries({ queryKey: ['year-modules'] })
      report(`Recalculation of ${what} started (pipeline ${started.pipelineId})`, 'info')
      return started.pipelineId
    } catch (error) {
      failure(`Recalculation of ${what}`, error)
      return null
    } finally {
      busy.value = false
    }
  }

  function confirm(title: string, message: string, ok: string): Promise<boolean> {
    return new Promise((resolve) => {
      $q.dialog({
        component: ConfirmDialog,
        componentProps: { title, message, ok, cancel: 'Keep it' },
      })
        .onOk(() => resolve(true))
        .onCancel(() => resolve(false))
        .onDismiss(() => resolve(false))
    })
  }

  async function cancel(pipelineId: number): Promise<void> {
    const sure = await confirm(
      `Cancel pipeline ${pipelineId}?`,
      'Queued jobs are cancelled at once; a running job stops at its next heartbeat and its changes are rolled back.',
      'Cancel pipeline',
    )
    if (!sure) return
    busy.value = true
    try {
      store.applySnapshot(await cancelPipeline(pipelineId))
      report(`Cancellation of pipeline ${pipelineId} requested`, 'info')
    } catch (error) {
      if (isApiError(error, 409)) {
        report(`Pipeline ${pipelineId} has already finished`, 'info')
        await refresh(pipelineId)
      } else failure(`Cancelling pipeline ${pipelineId}`, error)
    } finally {
      busy.value = false
    }
  }

  async function refresh(pipelineId: number): Promise<void> {
    const fresh = await fetchPipeline(pipelineId).catch(() => null)
    if (fresh) store.applySnapshot(fresh)
  }

  async function recover(jobId: number, pipelineId: number): Promise<void> {
    busy.value = true
    try {
      const retry = await recoverJob(jobId)
      report(`Job ${jobId} is retried as job ${retry.jobId}`, 'positive')
      await refresh(pipelineId)
      void client.invalidateQueries({ queryKey: ['job-events'] })
    } catch (error) {
      if (isApiError(error, 409)) {
        // The server says why (already retried by job N, or its pod is alive): its words, and
        // the pipeline as it is now, where the retry (or the live heartbeat) shows.
        report(error.message, 'negative')
        await refresh(pipelineId)
      } else failure(`Recovering job ${jobId}`, error)
    } finally {
      busy.value = false
    }
  }

  return { busy, startRecalculation, cancel, recover }
}
