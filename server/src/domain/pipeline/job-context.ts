import type { Config } from '../../config.ts'
import type { Database, Db } from '../../db/client.ts'
import type { JobRow } from '../../db/rows.ts'
import type { Logger } from '../../log.ts'
import type { JobOutcome } from './finish-job.ts'

/** What a job handler gets from the worker that runs it. */
export interface JobContext {
  readonly job: JobRow
  readonly pod: string
  /** Fires when the pod must stop: lost ownership, cancel, database unreachable, shutdown. */
  readonly signal: AbortSignal
  readonly database: Database
  readonly config: Config
  readonly log: Logger
  /** Reports progress; written at most every PROGRESS_INTERVAL_MS, fenced by ownership. */
  progress(processed: number, total: number | null): void
  /**
   * Runs the job's effects and its finish in one transaction (effects first, the
   * compare-and-set last). Call it once; if it throws, nothing of the job was committed.
   * A job with nothing to commit passes its outcome instead of effects: without children, its
   * finish is then one statement.
   */
  finish(work: ((tx: Db) => Promise<JobOutcome>) | JobOutcome): Promise<void>
}

export type JobHandler = (ctx: JobContext) => Promise<void>

/** Why the worker aborted a handler. */
export type AbortKind = 'lost' | 'cancel' | 'unreachable' | 'shutdown'

export class JobAbort extends Error {
  readonly kind: AbortKind
  constructor(kind: AbortKind, message: string) {
    super(message)
    this.kind = kind
    this.name = 'JobAbort'
  }
}

/** Throws the abort reason if the handler must stop; call it between batches. */
export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted)
    throw signal.reason instanceof Error
      ? signal.reason
      : new JobAbort('lost', String(signal.reason))
}
