import { z } from 'zod'

/**
 * Job states and the only transitions allowed between them.
 *
 * NOT_STARTED -> QUEUED -> RUNNING -> FINISHED, forward only, except that the reclaim
 * returns a RUNNING job whose owner went silent to QUEUED (the one backward edge).
 * Pending jobs (NOT_STARTED, QUEUED) may also be finished directly, as CANCELLED.
 */
export const jobStates = ['NOT_STARTED', 'QUEUED', 'RUNNING', 'FINISHED'] as const
export type JobState = (typeof jobStates)[number]

export const jobTransitions: Readonly<Record<JobState, readonly JobState[]>> = {
  NOT_STARTED: ['QUEUED', 'FINISHED'],
  QUEUED: ['RUNNING', 'FINISHED'],
  RUNNING: ['FINISHED', 'QUEUED'],
  FINISHED: [],
}

export function canTransition(from: JobState, to: JobState): boolean {
  return jobTransitions[from].includes(to)
}

export const pendingJobStates = ['NOT_STARTED', 'QUEUED'] as const satisfies readonly JobState[]

export const jobResults = ['SUCCESS', 'WARNING', 'ERROR', 'CANCELLED'] as const
export type JobResult = (typeof jobResults)[number]

/** Results after which a job's children are created. */
export const chainingResults: readonly JobResult[] = ['SUCCESS', 'WARNING']

export const jobTypes = [
  'csv_ingest',
  'api_ingest',
  'factor_ingest',
  'reference_ingest',
  'seed_ingest',
  'emission_recalc',
  'aggregation',
] as const
export type JobType = (typeof jobTypes)[number]

export const targetTypes = ['data_entries', 'factors', 'reference'] as const
export type TargetType = (typeof targetTypes)[number]

export const ingestionMethods = ['csv', 'api', 'seed', 'computed'] as const
export type IngestionMethod = (typeof ingestionMethods)[number]

/** Pipeline phase of each job type: 1 data, 2 emissions, 3 aggregation. */
export const jobPhase: Readonly<Record<JobType, 1 | 2 | 3>> = {
  csv_ingest: 1,
  api_ingest: 1,
  factor_ingest: 1,
  reference_ingest: 1,
  seed_ingest: 1,
  emission_recalc: 2,
  aggregation: 3,
}

export const phaseLabels: Readonly<Record<1 | 2 | 3, string>> = {
  1: 'Inserting data',
  2: 'Recalculating emissions',
  3: 'Aggregating',
}

export const pipelineStatuses = [
  'NOT_STARTED',
  'RUNNING',
  'SUCCESS',
  'PARTIAL',
  'FAILED',
  'CANCELLED',
] as const
export type PipelineStatus = (typeof pipelineStatuses)[number]

export const terminalPipelineStatuses: readonly PipelineStatus[] = [
  'SUCCESS',
  'PARTIAL',
  'FAILED',
  'CANCELLED',
]

export const pipelineKinds = ['data', 'factors', 'reference', 'recalculation', 'seed'] as const
export type PipelineKind = (typeof pipelineKinds)[number]

export const uploadKinds = ['data', 'factors', 'reference'] as const
export type UploadKind = (typeof uploadKinds)[number]

export const uploadModes = ['replace', 'append'] as const
export type UploadMode = (typeof uploadModes)[number]

export const jobProgressSchema = z.object({
  /** Phase of the pipeline this job belongs to (1 data, 2 emissions, 3 aggregation). */
  phase: z.number().int().min(1).max(3),
  /** Rows (or entries) handled so far. */
  processed: z.number().int().nonnegative(),
  /** Rows (or entries) to handle, when known. */
  total: z.number().int().nonnegative().nullable(),
})
export type JobProgress = z.infer<typeof jobProgressSchema>

export const jobCountsSchema = z.object({
  /** Data rows read from the file (or entries considered). */
  rowsTotal: z.number().int().nonnegative(),
  /** Rows stored (or entries updated). */
  rowsInserted: z.number().int().nonnegative(),
  /** Rows skipped for an error, each recorded in job_row_errors. */
  rowsFailed: z.number().int().nonnegative(),
  /** Stored rows that have no emission (unknown location, missing factor). */
  rowsWithoutEmission: z.number().int().nonnegative(),
})
export type JobCounts = z.infer<typeof jobCountsSchema>

export const rowErrorSchema = z.object({
  /** Line number in the file. */
  row: z.number().int(),
  /** Column, or null for the whole row. */
  column: z.string().nullable(),
  /** Machine-readable reason. */
  code: z.string(),
  /** Reason, for a person. */
  message: z.string(),
})
export type RowError = z.infer<typeof rowErrorSchema>

export const jobSchema = z.object({
  /** Job id. */
  id: z.number().int(),
  /** Pipeline that owns the job. */
  pipelineId: z.number().int(),
  /** Job whose success created this one, if any. */
  parentJobId: z.number().int().nullable(),
  /** Failed or stuck job that this one retries (admin recover). */
  retryOf: z.number().int().nullable(),
  /** What the job does. */
  jobType: z.enum(jobTypes),
  /** Module type the job works on. */
  moduleTypeId: z.number().int(),
  /** Data-entry type, when the job is limited to one. */
  dataEntryTypeId: z.number().int().nullable(),
  /** Reporting year. */
  year: z.number().int(),
  /** Lifecycle state. */
  state: z.enum(jobStates),
  /** Outcome, once FINISHED. */
  result: z.enum(jobResults).nullable(),
  /** Human-readable status or error message. */
  statusMessage: z.string().nullable(),
  /** Claims so far (a reclaimed job keeps its count). */
  attempts: z.number().int(),
  /** Monotonic version, bumped on every change; the SSE event id of job streams. */
  version: z.number().int(),
  /** Live progress while running. */
  progress: jobProgressSchema.nullable(),
  /** Row counts, once known. */
  counts: jobCountsSchema,
  /** The first row errors (at most 100; all of them are in errors.csv). */
  firstErrors: z.array(rowErrorSchema),
  /**
   * The first row warnings (at most 100; all of them are in warnings.csv): entries that were
   * stored but have no emission (unknown airport or station, missing or ambiguous factor).
   */
  firstWarnings: z.array(rowErrorSchema),
  /** File-level warnings, such as unknown columns. */
  warnings: z.array(z.string()),
  /** Upload the job reads, for file-based jobs. */
  uploadId: z.number().int().nullable(),
  /** When the job was created (ISO 8601). */
  createdAt: z.string(),
  /** When the current or last attempt started. */
  startedAt: z.string().nullable(),
  /** Last heartbeat of the pod running the job (RUNNING only): an old one means a stuck job. */
  heartbeatAt: z.string().nullable(),
  /** When the job finished. */
  finishedAt: z.string().nullable(),
})
export type Job = z.infer<typeof jobSchema>

export const pipelineProgressSchema = z.object({
  /** Current phase: 1 data, 2 emissions, 3 aggregation. */
  phase: z.number().int().min(1).max(3),
  /** Always 3. */
  phasesTotal: z.literal(3),
  /** Label of the current phase. */
  phaseLabel: z.string(),
  /** Every job of the pipeline is finished. */
  done: z.boolean(),
  /** Some job of the pipeline finished with ERROR. */
  hasError: z.boolean(),
  /** Rows handled by the running job. */
  processed: z.number().int().nonnegative(),
  /** Rows the running job will handle, when known. */
  total: z.number().int().nonnegative().nullable(),
})
export type PipelineProgress = z.infer<typeof pipelineProgressSchema>

export const pipelineSchema = z.object({
  /** Pipeline id. */
  id: z.number().int(),
  /** What started the pipeline. */
  kind: z.enum(pipelineKinds),
  /** Status derived from its jobs. */
  status: z.enum(pipelineStatuses),
  /** Monotonic version, bumped on every change; the SSE event id of pipeline streams. */
  version: z.number().int(),
  /** Module type. */
  moduleTypeId: z.number().int(),
  /** Data-entry type the pipeline started from, if any. */
  dataEntryTypeId: z.number().int().nullable(),
  /** Reporting year. */
  year: z.number().int(),
  /** Progress over the three phases. */
  progress: pipelineProgressSchema,
  /** Jobs of the pipeline, own and joined, oldest first. */
  jobs: z.array(jobSchema),
  /** Display name of who started it (same institution only). */
  createdBy: z.string().nullable(),
  /** When it was created. */
  createdAt: z.string(),
  /** When its last job finished. */
  finishedAt: z.string().nullable(),
})
export type Pipeline = z.infer<typeof pipelineSchema>

export const pipelineSummarySchema = z.object({
  /** Pipeline id. */
  pipelineId: z.number().int(),
  /** Derived status. */
  status: z.enum(pipelineStatuses),
  /** Version, to order updates. */
  version: z.number().int(),
  /** Progress over the three phases. */
  progress: pipelineProgressSchema,
})
export type PipelineSummary = z.infer<typeof pipelineSummarySchema>

export const jobEventSchema = z.object({
  /** Event id. */
  id: z.number().int(),
  /** Job the event belongs to. */
  jobId: z.number().int(),
  /** Pipeline of that job. */
  pipelineId: z.number().int(),
  /** State entered. */
  state: z.enum(jobStates),
  /** Result, when the state is FINISHED. */
  result: z.enum(jobResults).nullable(),
  /** Pod that made the transition, if a pod did. */
  pod: z.string().nullable(),
  /** Why. */
  message: z.string().nullable(),
  /** When (database time, ISO 8601). */
  at: z.string(),
})
export type JobEvent = z.infer<typeof jobEventSchema>
