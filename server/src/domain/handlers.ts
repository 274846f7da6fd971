import type { JobType } from '@carbon-sync/shared'
import { aggregation } from './aggregation/aggregation.ts'
import { emissionRecalc } from './emissions/emission-recalc.ts'
import { csvIngest } from './ingestion/csv-ingest.ts'
import { factorIngest } from './ingestion/factor-ingest.ts'
import { referenceIngest } from './ingestion/reference-ingest.ts'
import type { JobHandler } from './pipeline/job-context.ts'
import { seedIngest } from './seed/seed-ingest.ts'

/** The handler of each job type a worker runs. */
export const jobHandlers: Partial<Record<JobType, JobHandler>> = {
  csv_ingest: csvIngest,
  factor_ingest: factorIngest,
  reference_ingest: referenceIngest,
  seed_ingest: seedIngest,
  emission_recalc: emissionRecalc,
  aggregation,
}
