import {
  dataEntryTypesOfModule,
  findDataEntryType,
  findModuleType,
  isSupportedType,
} from '@carbon-sync/shared'
import type { Database } from '../../db/client.ts'
import type { Scope } from '../auth/scope.ts'
import { ValidationFailed } from '../errors.ts'
import { createPipeline, requestJob, type JobRequest } from './enqueue.ts'
import { refreshPipelinesOfJobs } from './refresh-pipelines.ts'

/**
 * A data manager's recalculation (SPEC §6): one pipeline with an emission_recalc per
 * data-entry type (one, or every supported type of the module), each chaining the module's
 * aggregation. A recalculation already pending for a type is joined, not duplicated.
 */
export async function recalculate(
  database: Database,
  scope: Scope,
  request: { year: number; moduleTypeId: number; dataEntryTypeId?: number | undefined },
): Promise<{ pipelineId: number; jobIds: number[] }> {
  if (!findModuleType(request.moduleTypeId)) {
    throw new ValidationFailed(`Unknown module ${request.moduleTypeId}`, { field: 'moduleTypeId' })
  }
  let types: number[]
  if (request.dataEntryTypeId !== undefined) {
    const type = findDataEntryType(request.dataEntryTypeId)
    if (!type || type.moduleTypeId !== request.moduleTypeId) {
      throw new ValidationFailed(
        `Data-entry type ${request.dataEntryTypeId} is not in module ${request.moduleTypeId}`,
        { field: 'dataEntryTypeId' },
      )
    }
    if (!isSupportedType(type.id))
      throw new ValidationFailed(`${type.label} has no formula yet`, { field: 'dataEntryTypeId' })
    types = [type.id]
  } else {
    types = dataEntryTypesOfModule(request.moduleTypeId)
      .filter((t) => isSupportedType(t.id))
      .map((t) => t.id)
    if (types.length === 0)
      throw new ValidationFailed(
        `Module ${request.moduleTypeId} has no supported data-entry type yet`,
      )
  }
  const job = (dataEntryTypeId: number): JobRequest => ({
    jobType: 'emission_recalc',
    moduleTypeId: request.moduleTypeId,
    dataEntryTypeId,
    year: request.year,
    targetType: 'data_entries',
    ingestionMethod: 'computed',
  })
  return database.db.transaction(async (tx) => {
    const [first, ...rest] = types
    const root = await createPipeline(
      tx,
      {
        institutionId: scope.institutionId,
        kind: 'recalculation',
        moduleTypeId: request.moduleTypeId,
        dataEntryTypeId: request.dataEntryTypeId ?? null,
        year: request.year,
        createdBy: scope.userId,
      },
      job(first!),
    )
    const jobIds = [root.jobId]
    const ctx = {
      pipelineId: root.pipelineId,
      institutionId: scope.institutionId,
      createdBy: scope.userId,
      parentJobId: null,
    }
    for (const t of rest) jobIds.push((await requestJob(tx, ctx, job(t))).jobId)
    await refreshPipelinesOfJobs(tx, jobIds, [], [root.pipelineId])
    return { pipelineId: root.pipelineId, jobIds }
  })
}
