import type { Pipeline } from '@carbon-sync/shared'
import {
  computed,
  onScopeDispose,
  shallowRef,
  toValue,
  watch,
  type ComputedRef,
  type MaybeRefOrGetter,
  type Ref,
} from 'vue'
import { apiUrl, isApiError } from '../api/http'
import { fetchPipeline } from '../api/sync'
import { isAnnounceable, isTerminal, pipelineAnnouncement } from '../lib/pipeline-text'
import { useAnnouncer } from '../stores/announcer'
import { usePipelineState } from '../stores/pipeline-state'

/**
 * Live updates of one pipeline (SPEC §7, §8). However many components watch a pipeline, the
 * page holds ONE EventSource for it: each user takes a reference when its id becomes known
 * and gives it back when the id changes or its scope is disposed; the last one out closes the
 * stream. The `end` event closes it too (the server closes its side after `end`, and a native
 * EventSource would otherwise reconnect and be told the same thing again).
 *
 * Reconnection is the browser's: after a dropped connection EventSource retries (the server
 * sends `retry: 3000`) with `Last-Event-ID`, and the server then sends only what was missed.
 * When the browser gives up (readyState CLOSED: the server answered with an error, e.g. 503
 * while it restarts, or 401/403/404 as JSON), the stream is marked 'error' and the pipeline is
 * read over REST instead: once, and again every few seconds while someone still watches it and
 * it has not ended, so that a page whose stream cannot open still reaches the end of the
 * pipeline. Meanwhile a new EventSource is tried with backoff (5 s, 10 s, 30 s, then every
 * minute: a server that is back is used again, one that is not is not hammered), resuming with
 * `?lastEventId=` (a new EventSource cannot send the header) at the version held. Once one
 * opens, the polling stops. A 4xx from the REST read stops both: it will not get better.
 *
 * Every event goes through `pipelineState.applySnapshot`, which ignores versions it has.
 */

export type StreamStatus = 'connecting' | 'open' | 'closed' | 'error'

type EventSourceConstructor = new (url: string, init?: EventSourceInit) => EventSource

let EventSourceImpl: EventSourceConstructor | undefined =
  typeof window !== 'undefined' ? window.EventSource : undefined

/** Tests pass a real client for Node (the `eventsource` package); the browser's by default. */
export function setEventSourceImpl(impl: EventSourceConstructor | undefined): void {
  EventSourceImpl = impl
}

const CLOSED = 2

interface StreamTimings {
  /** How often a pipeline is read over REST once its stream has failed. */
  pollMs: number
  /** Delays before each new try of the stream after a failure; the last one repeats. */
  reopenMs: readonly number[]
}

const defaultTimings: StreamTimings = { pollMs: 5000, reopenMs: [5000, 10_000, 30_000, 60_000] }
let timings: StreamTimings = defaultTimings

/** Tests shorten the waits; `undefined` restores the defaults. */
export function setStreamTimings(t: Partial<StreamTimings> | undefined): void {
  timings = t ? { ...defaultTimings, ...t } : defaultTimings
}

interface SharedStream {
  readonly pipelineId: number
  source: EventSource | null
  poll: ReturnType<typeof setTimeout> | undefined
  /** The next try of a stream that failed. */
  reopen: ReturnType<typeof setTimeout> | undefined
  /** Tries of the stream that failed in a row (the backoff's position). */
  failures: number
  users: number
  readonly status: Ref<StreamStatus>
}

const streams = new Map<number, SharedStream>()

/** Pipeline ids with an open (or opening) shared stream; for tests and debugging. */
export function openStreamIds(): number[] {
  return [...streams.keys()]
}

type Store = ReturnType<typeof usePipelineState>
type Announcer = ReturnType<typeof useAnnouncer>

function end(stream: SharedStream, status: StreamStatus): void {
  stream.source?.close()
  stream.source = null
  clearTimeout(stream.poll)
  stream.poll = undefined
  clearTimeout(stream.reopen)
  stream.reopen = undefined
  stream.status.value = status
  if (streams.get(stream.pipelineId) === stream) streams.delete(stream.pipelineId)
}

/** Every snapshot, streamed or read, goes through here: the store, then the live region. */
function apply(pipeline: Pipeline, store: Store, announcer: Announcer): void {
  const before = store.pipeline(pipeline.id)
  if (store.applySnapshot(pipeline) && isAnnounceable(before, pipeline)) {
    announcer.announce(pipelineAnnouncement(pipeline))
  }
}

function receive(stream: SharedStream, event: MessageEvent, store: Store, announcer: Announcer) {
  let pipeline: Pipeline
  try {
    pipeline = JSON.parse(String(event.data)) as Pipeline
  } catch {
    return // a malformed event is dropped; the next one is a full snapshot anyway
  }
  apply(pipeline, store, announcer)
  if (event.type === 'end') end(stream, 'closed')
}

const current = (stream: SharedStream) => streams.get(stream.pipelineId) === stream

/** The REST fallback: reads the pipeline until it ends, nobody watches, or the API says no. */
async function poll(stream: SharedStream, store: Store, announcer: Announcer): Promise<void> {
  stream.poll = undefined
  if (!current(stream)) return
  try {
    const pipeline = await fetchPipeline(stream.pipelineId)
    if (!current(stream)) return
    apply(pipeline, store, announcer)
    if (isTerminal(pipeline.status)) {
      end(stream, 'closed')
      return
    }
  } catch (error) {
    // A 401 has already sent the user to sign-in; 403/404 are for the page to show from its
    // own query. Neither gets better by asking again, over REST or over SSE.
    if (isApiError(error) && error.status >= 400 && error.status < 500) {
      if (current(stream)) end(stream, 'error')
      return
    }
  }
  // A stream that opened again meanwhile makes the polling needless.
  if (current(stream) && stream.users > 0 && stream.status.value !== 'open')
    stream.poll = setTimeout(() => void poll(stream, store, announcer), timings.pollMs)
}

/** The stream could not open (or was refused): poll, and try the stream again later. */
function fallBack(stream: SharedStream, store: Store, announcer: Announcer): void {
  stream.status.value = 'error'
  if (stream.poll === undefined) void poll(stream, store, announcer)
  const delays = timings.reopenMs
  const delay = delays[Math.min(stream.failures, delays.length - 1)] ?? 60_000
  stream.failures++
  clearTimeout(stream.reopen)
  stream.reopen = setTimeout(() => {
    stream.reopen = undefined
    if (current(stream) && stream.users > 0) connect(stream, store, announcer)
  }, delay)
}

function connect(stream: SharedStream, store: Store, announcer: Announcer): void {
  const Impl = EventSourceImpl
  if (!Impl) {
    stream.status.value = 'error'
    void poll(stream, store, announcer)
    return
  }
  // A retry after a failure resumes from what the page holds (the server then sends only what
  // is newer); the first connection asks for a snapshot.
  const held = stream.failures > 0 ? store.pipeline(stream.pipelineId)?.version : undefined
  const source = new Impl(
    apiUrl(`/sync/pipelines/${stream.pipelineId}/stream`, { lastEventId: held }),
  )
  stream.source = source
  const onEvent = (event: Event) => {
    if (stream.source === source) receive(stream, event as MessageEvent, store, announcer)
  }
  source.addEventListener('snapshot', onEvent)
  source.addEventListener('update', onEvent)
  source.addEventListener('end', onEvent)
  source.addEventListener('open', () => {
    if (stream.source !== source) return
    stream.status.value = 'open'
    stream.failures = 0
    clearTimeout(stream.poll)
    stream.poll = undefined
  })
  source.addEventListener('error', () => {
    if (stream.source !== source) return
    if (source.readyState === CLOSED) {
      source.close()
      stream.source = null
      fallBack(stream, store, announcer)
    } else {
      stream.status.value = 'connecting' // the browser retries, with Last-Event-ID
    }
  })
}

function acquire(pipelineId: number, store: Store, announcer: Announcer): SharedStream {
  const existing = streams.get(pipelineId)
  if (existing) {
    existing.users++
    return existing
  }
  const stream: SharedStream = {
    pipelineId,
    source: null,
    poll: undefined,
    reopen: undefined,
    failures: 0,
    users: 1,
    status: shallowRef<StreamStatus>('connecting'),
  }
  streams.set(pipelineId, stream)
  connect(stream, store, announcer)
  return stream
}

function release(stream: SharedStream): void {
  stream.users--
  if (stream.users > 0) return
  if (stream.source) end(stream, 'closed')
  else if (streams.get(stream.pipelineId) === stream) end(stream, stream.status.value)
}

/** Closes every stream (signing out). */
export function closeAllStreams(): void {
  for (const stream of [...streams.values()]) end(stream, 'closed')
}

export function usePipelineStream(pipelineId: MaybeRefOrGetter<number | null | undefined>): {
  status: ComputedRef<StreamStatus>
  pipeline: ComputedRef<Pipeline | undefined>
} {
  const store = usePipelineState()
  const announcer = useAnnouncer()
  const held = shallowRef<SharedStream | null>(null)

  watch(
    () => toValue(pipelineId) ?? null,
    (id) => {
      if (held.value) release(held.value)
      held.value = id === null ? null : acquire(id, store, announcer)
    },
    { immediate: true },
  )
  onScopeDispose(() => {
    if (held.value) release(held.value)
    held.value = null
  })

  return {
    status: computed(() => held.value?.status.value ?? 'closed'),
    pipeline: computed(() => {
      const id = toValue(pipelineId)
      return id === null || id === undefined ? undefined : store.pipeline(id)
    }),
  }
}
