import { createChannel, type Channel, type Session } from 'better-sse'
import { terminalPipelineStatuses, type Job, type Pipeline } from '@carbon-sync/shared'
import type { Config } from '../config.ts'
import type { Database } from '../db/client.ts'
import { readJobsById } from '../db/queries/read-jobs.ts'
import { pipelinesWithJobs, versionsOf } from '../db/queries/snapshots.ts'
import { jobView, pipelineView, type Viewer } from '../domain/pipeline/views.ts'
import type { Logger } from '../log.ts'

/**
 * The one watcher of a process (SPEC §7). It learns that pipelines changed from NOTIFY on
 * PostgreSQL (with a poll as fallback) or from a poll on PGlite, reads each changed pipeline
 * or job once per tick, and fans the snapshot out through a better-sse channel per stream key.
 * Database work per tick depends on what changed, never on how many people watch.
 *
 * Invariants
 * - A session receives versions in increasing order, each at most once: the per-session
 *   `version` filters broadcasts, and a session gets nothing until its first event is sent.
 * - A channel exists while it has sessions; the last one leaving drops it and its watch.
 * - A terminal snapshot is sent as `end`, after which the server closes the stream.
 */
export const pipelineChannel = 'carbon_sync_pipeline'

export type StreamKind = 'pipeline' | 'job'
type Snapshot = Pipeline | Job

export interface SessionState {
  [key: string]: unknown
  /** Highest version this session has been sent. */
  version: number
  /** False until the session's first event is written. */
  ready: boolean
  /** Ends the HTTP response; its 'close' deregisters the session from its channel. */
  close: () => void
  /** Whose eyes: a viewer tied to a unit gets other units' row errors removed. */
  viewer: Viewer
}

/** A change, ready to be shown to any viewer. */
interface Published {
  version: number
  terminal: boolean
  view(viewer: Viewer): Snapshot
}

interface Watch {
  kind: StreamKind
  id: number
  channel: Channel<Record<string, unknown>, SessionState>
  /** Last change broadcast, to catch up a session that joined while one went out. */
  latest: Published | undefined
  /** For a job: the pipelines whose notifications may mean the job changed. */
  pipelineIds: Set<number>
}

const key = (kind: StreamKind, id: number) => `${kind}:${id}`

export function isTerminal(kind: StreamKind, s: Snapshot): boolean {
  return kind === 'pipeline'
    ? terminalPipelineStatuses.includes((s as Pipeline).status)
    : (s as Job).state === 'FINISHED'
}

export class StreamHub {
  private readonly watches = new Map<string, Watch>()
  private readonly dirty = new Set<string>()
  private tickScheduled = false
  private ticking: Promise<void> | undefined
  private pollTimer: NodeJS.Timeout | undefined
  private unlisten: (() => Promise<void>) | undefined
  private stopped = false
  /** Counters for tests and metrics: database reads made by the watcher. */
  readonly stats = { ticks: 0, snapshotReads: 0, polls: 0 }

  constructor(
    private readonly database: Database,
    private readonly config: Config,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    if (this.database.engine === 'postgres') {
      this.unlisten = await this.database
        .listen(pipelineChannel, (payload) => this.onNotify(payload))
        .catch((error: unknown) => {
          this.log.warn('LISTEN failed; streams fall back to polling', { error })
          return undefined
        })
    }
    this.schedulePoll()
  }

  async stop(): Promise<void> {
    this.stopped = true
    clearTimeout(this.pollTimer)
    await this.unlisten?.().catch(() => {})
    await this.ticking
    for (const w of this.watches.values()) for (const s of w.channel.activeSessions) endSession(s)
    this.watches.clear()
  }

  get sessionCount(): number {
    let n = 0
    for (const w of this.watches.values()) n += w.channel.sessionCount
    return n
  }

  get channelCount(): number {
    return this.watches.size
  }

  /**
   * Adds a session to the stream of a pipeline or job, then sends its first event: a
   * snapshot (or, resuming after `lastEventId`, only an update if the version moved), and
   * `end` if the pipeline or job has already ended.
   */
  async attach(
    kind: StreamKind,
    id: number,
    session: Session<SessionState>,
    first: Snapshot,
    lastEventId: number | undefined,
    pipelineIds: readonly number[] = [],
  ): Promise<void> {
    // A session whose client has already left would be registered for ever: no watch for it.
    if (!session.isConnected) return
    const watch = this.watch(kind, id, pipelineIds)
    session.state.version = lastEventId ?? -1
    session.state.ready = false
    watch.channel.register(session)
    const newest =
      watch.latest && watch.latest.version > first.version
        ? watch.latest.view(session.state.viewer)
        : first
    if (lastEventId === undefined) {
      session.push(first, 'snapshot', String(first.version))
      session.state.version = first.version
    }
    if (newest.version > session.state.version) {
      session.push(newest, isTerminal(kind, newest) ? 'end' : 'update', String(newest.version))
      session.state.version = newest.version
    } else if (isTerminal(kind, newest)) {
      session.push(newest, 'end', String(newest.version))
    }
    session.state.ready = true
    if (isTerminal(kind, newest)) endSession(session)
  }

  private watch(kind: StreamKind, id: number, pipelineIds: readonly number[]): Watch {
    const k = key(kind, id)
    let w = this.watches.get(k)
    if (!w) {
      const channel = createChannel<Record<string, unknown>, SessionState>()
      w = {
        kind,
        id,
        channel,
        latest: undefined,
        pipelineIds: new Set(kind === 'pipeline' ? [id] : pipelineIds),
      }
      this.watches.set(k, w)
      // The last viewer leaving drops the channel and the watch at once.
      channel.on('session-deregistered', () => {
        if (channel.sessionCount === 0 && this.watches.get(k) === w) this.watches.delete(k)
      })
    }
    return w
  }

  /** NOTIFY payload `pipelineId:version`. */
  private onNotify(payload: string): void {
    const [idText, versionText] = payload.split(':')
    const pipelineId = Number(idText)
    const version = Number(versionText)
    for (const [k, w] of this.watches) {
      if (!w.pipelineIds.has(pipelineId)) continue
      if (w.kind === 'pipeline' && w.latest && w.latest.version >= version) continue
      this.dirty.add(k)
    }
    if (this.dirty.size > 0) this.scheduleTick()
  }

  private schedulePoll(): void {
    if (this.stopped) return
    // With NOTIFY the poll is only a safety net; on PGlite it is how changes are seen.
    const interval = this.unlisten
      ? Math.max(this.config.SSE_POLL_INTERVAL_MS, 2000)
      : this.config.SSE_POLL_INTERVAL_MS
    this.pollTimer = setTimeout(() => {
      this.poll()
        .catch((error: unknown) => this.log.debug('stream poll failed', { error }))
        .finally(() => this.schedulePoll())
    }, interval)
  }

  private async poll(): Promise<void> {
    if (this.watches.size === 0) return
    this.stats.polls++
    const ids = { pipeline: [] as number[], job: [] as number[] }
    for (const w of this.watches.values()) ids[w.kind].push(w.id)
    const [pipelines, jobs] = await Promise.all([
      versionsOf(this.database.db, 'pipelines', ids.pipeline),
      versionsOf(this.database.db, 'jobs', ids.job),
    ])
    for (const [k, w] of this.watches) {
      const version = (w.kind === 'pipeline' ? pipelines : jobs).get(w.id)
      if (version !== undefined && version > (w.latest?.version ?? -1)) this.dirty.add(k)
    }
    if (this.dirty.size > 0) this.scheduleTick()
  }

  private scheduleTick(): void {
    if (this.tickScheduled || this.stopped) return
    this.tickScheduled = true
    // Chain ticks: one read at a time, and a burst of notifications is read once.
    const previous = this.ticking ?? Promise.resolve()
    this.ticking = previous.then(() => {
      this.tickScheduled = false
      return this.tick().catch((error: unknown) => this.log.warn('stream tick failed', { error }))
    })
  }

  private async tick(): Promise<void> {
    const keys = [...this.dirty]
    this.dirty.clear()
    const dirty = keys.map((k) => this.watches.get(k)).filter((w): w is Watch => w !== undefined)
    if (dirty.length === 0) return
    this.stats.ticks++
    const pipelineIds = dirty.filter((w) => w.kind === 'pipeline').map((w) => w.id)
    const jobIds = dirty.filter((w) => w.kind === 'job').map((w) => w.id)
    this.stats.snapshotReads += pipelineIds.length + jobIds.length
    const [pipelines, jobs] = await Promise.all([
      pipelinesWithJobs(this.database.db, pipelineIds),
      readJobsById(this.database.db, jobIds),
    ])
    for (const { pipeline, jobs: members } of pipelines) {
      this.publish('pipeline', pipeline.id, pipeline.version, (viewer) =>
        pipelineView(pipeline, members, viewer),
      )
    }
    for (const job of jobs)
      this.publish('job', job.id, job.version, (viewer) => jobView(job, viewer))
  }

  private publish(
    kind: StreamKind,
    id: number,
    version: number,
    build: (viewer: Viewer) => Snapshot,
  ): void {
    const w = this.watches.get(key(kind, id))
    if (!w || (w.latest && w.latest.version >= version)) return
    // One view per distinct viewer (almost always just the whole institution's), built once.
    const views = new Map<number | null, Snapshot>()
    const view = (viewer: Viewer) => {
      let v = views.get(viewer.unitId)
      if (!v) views.set(viewer.unitId, (v = build(viewer)))
      return v
    }
    const terminal = isTerminal(kind, view({ unitId: null }))
    w.latest = { version, terminal, view }
    const event = terminal ? 'end' : 'update'
    const receivers = w.channel.activeSessions.filter(
      (s) => s.state.ready && s.state.version < version,
    )
    for (const s of receivers) {
      if (!s.isConnected) continue
      s.push(view(s.state.viewer), event, String(version))
      s.state.version = version
    }
    if (terminal) for (const s of receivers) endSession(s)
  }
}

/** Ends a stream from the server side; the 'close' of the response deregisters the session. */
export function endSession(session: Session<SessionState>): void {
  session.state.close()
}
