import http from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Pipeline } from '@carbon-sync/shared'
import { mount } from '@vue/test-utils'
import { EventSource as NodeEventSource } from 'eventsource'
import { createPinia, setActivePinia, type Pinia } from 'pinia'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { defineComponent, h } from 'vue'
import { configureHttp } from '../api/http'
import { useAnnouncer } from '../stores/announcer'
import { eventually } from '../testing/mount-app'
import { makeRecalcJob, makeRowWarning } from '../testing/pipelines'
import {
  openStreamIds,
  setEventSourceImpl,
  setStreamTimings,
  usePipelineStream,
} from './use-pipeline-stream'

/**
 * Reference counting, proved from the server's side: a real EventSource client (the
 * `eventsource` package) against a real SSE server written here with node:http. The server
 * never closes a stream itself, so each 'close' it sees is the client closing.
 */

function pipeline(version: number, status: Pipeline['status'] = 'RUNNING', id = 7): Pipeline {
  const done = status !== 'RUNNING'
  return {
    id,
    kind: 'data',
    status,
    version,
    moduleTypeId: 2,
    dataEntryTypeId: 20,
    year: 2025,
    progress: {
      phase: done ? 3 : 1,
      phasesTotal: 3,
      phaseLabel: done ? 'Aggregating' : 'Inserting data',
      done,
      hasError: false,
      processed: 0,
      total: null,
    },
    jobs: [],
    createdBy: null,
    createdAt: '2025-01-01T00:00:00.000Z',
    finishedAt: done ? '2025-01-01T00:01:00.000Z' : null,
  }
}

const open = new Set<http.ServerResponse>()
let connections = 0
let closes = 0
let lastEventIds: (string | undefined)[] = []
const restReads: string[] = []
let server: http.Server
/** What the server tells clients to wait before reconnecting (`retry:`). */
let retryMs = 3000
/** Requests of pipeline 9's stream (the one that fails first), with their query. */
let streams9: string[] = []

function send(event: 'update' | 'end', p: Pipeline) {
  for (const res of open)
    res.write(`event: ${event}\nid: ${p.version}\ndata: ${JSON.stringify(p)}\n\n`)
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/api/v1/sync/pipelines/9') {
      restReads.push(req.url)
      res.writeHead(200, { 'Content-Type': 'application/json' })
      res.end(JSON.stringify(pipeline(2, 'RUNNING', 9)))
      return
    }
    if (req.url?.startsWith('/api/v1/sync/pipelines/9/stream')) {
      // Pipeline 9: the first try is refused (a server restarting), the next ones stream.
      streams9.push(req.url)
      if (streams9.length === 1) {
        res.writeHead(503, { 'Content-Type': 'application/json' })
        res.end('{"error":{"code":"unavailable","message":"Restarting"}}')
        return
      }
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' })
      res.write(
        `retry: ${retryMs}\n\nevent: update\nid: 3\ndata: ${JSON.stringify(pipeline(3, 'RUNNING', 9))}\n\n`,
      )
      open.add(res)
      res.on('close', () => open.delete(res))
      return
    }
    if (req.url === '/api/v1/sync/pipelines/8/stream' || req.url === '/api/v1/sync/pipelines/8') {
      // Another institution's pipeline: refused as JSON before any stream opens.
      if (!req.url.endsWith('/stream')) restReads.push(req.url)
      res.writeHead(403, { 'Content-Type': 'application/json' })
      res.end('{"error":{"code":"forbidden","message":"This belongs to another institution"}}')
      return
    }
    if (req.url !== '/api/v1/sync/pipelines/7/stream') {
      res.writeHead(404, { 'Content-Type': 'application/json' })
      res.end('{"error":{"code":"not_found","message":"no","details":null}}')
      return
    }
    connections++
    lastEventIds.push(req.headers['last-event-id'] as string | undefined)
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' })
    res.write(
      `retry: ${retryMs}\n\nevent: snapshot\nid: 1\ndata: ${JSON.stringify(pipeline(1))}\n\n`,
    )
    open.add(res)
    res.on('close', () => {
      closes++
      open.delete(res)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  // Same origin as the test server, as the SPA is with its API.
  ;(window as unknown as { happyDOM: { setURL(url: string): void } }).happyDOM.setURL(
    `${origin}/data/2025`,
  )
  configureHttp({ baseUrl: origin })
  setEventSourceImpl(NodeEventSource as unknown as typeof window.EventSource)
})

afterAll(async () => {
  setEventSourceImpl(undefined)
  setStreamTimings(undefined)
  configureHttp({ baseUrl: '' })
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

afterEach(() => {
  expect(openStreamIds()).toEqual([])
  connections = 0
  closes = 0
  lastEventIds = []
  retryMs = 3000
  streams9 = []
  restReads.length = 0
  setStreamTimings(undefined)
})

const Viewer = defineComponent({
  props: {
    name: { type: String, required: true },
    pipelineId: { type: Number, default: 7 },
  },
  setup(props) {
    const { status, pipeline } = usePipelineStream(() => props.pipelineId)
    return () => h('p', `${props.name}:${status.value}:${pipeline.value?.version ?? '-'}`)
  },
})

function mountViewer(name: string, pinia: Pinia, pipelineId = 7) {
  return mount(Viewer, { props: { name, pipelineId }, global: { plugins: [pinia] } })
}

describe('usePipelineStream shares one EventSource per pipeline', () => {
  it('opens one stream for two users, keeps it for one, closes it with the last', async () => {
    const pinia = createPinia()
    setActivePinia(pinia)
    const a = mountViewer('a', pinia)
    const b = mountViewer('b', pinia)

    await eventually(() => {
      expect(a.text()).toBe('a:open:1')
      expect(b.text()).toBe('b:open:1')
    })
    expect(connections).toBe(1)

    a.unmount()
    send('update', pipeline(2))
    await eventually(() => expect(b.text()).toBe('b:open:2'))
    expect(closes).toBe(0)
    expect(open.size).toBe(1)

    b.unmount()
    await eventually(() => expect(closes).toBe(1))
    expect(open.size).toBe(0)
    expect(connections).toBe(1)
  })

  it('closes the stream on `end`, and does not reconnect', async () => {
    const pinia = createPinia()
    setActivePinia(pinia)
    const c = mountViewer('c', pinia)
    await eventually(() => expect(c.text()).toBe('c:open:1'))

    send('end', pipeline(3, 'SUCCESS'))

    await eventually(() => expect(c.text()).toBe('c:closed:3'))
    await eventually(() => expect(closes).toBe(1))
    // Longer than nothing, shorter than the 3 s retry: no new connection was attempted.
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(connections).toBe(1)
    expect(openStreamIds()).toEqual([])
    c.unmount()
  })

  it('announces the end, with the rows it left without emission', async () => {
    const pinia = createPinia()
    setActivePinia(pinia)
    const announcer = useAnnouncer(pinia)
    const d = mountViewer('d', pinia)
    await eventually(() => expect(d.text()).toBe('d:open:1'))

    const ended = pipeline(4, 'PARTIAL')
    send('end', { ...ended, jobs: [makeRecalcJob(71, [makeRowWarning(3)], { pipelineId: 7 })] })

    await eventually(() =>
      expect(announcer.message).toBe(
        'Upload of Plane trips for 2025 finished with warnings; 1 row without emission (counted as 0 kg until fixed)',
      ),
    )
    await eventually(() => expect(closes).toBe(1))
    d.unmount()
  })

  it('opens a new stream when a user mounts again after the last one left', async () => {
    const pinia = createPinia()
    setActivePinia(pinia)
    const d = mountViewer('d', pinia)
    await eventually(() => expect(d.text()).toBe('d:open:1'))
    d.unmount()
    await eventually(() => expect(closes).toBe(1))

    const e = mountViewer('e', pinia)
    // The store already holds version 1: the replayed snapshot changes nothing.
    await eventually(() => expect(e.text()).toBe('e:open:1'))
    expect(connections).toBe(2)
    e.unmount()
    await eventually(() => expect(closes).toBe(2))
  })

  it('falls back to a REST read and reports an error when the stream is refused', async () => {
    const pinia = createPinia()
    setActivePinia(pinia)
    const w = mountViewer('r', pinia, 8)
    await eventually(() => expect(w.text()).toBe('r:error:-'))
    await eventually(() => expect(restReads).toEqual(['/api/v1/sync/pipelines/8']))
    // A 403 does not get better by asking again: nothing is left open or polling.
    await eventually(() => expect(openStreamIds()).toEqual([]))
    w.unmount()
  })

  it('reconnects after a dropped connection with Last-Event-ID at the version held', async () => {
    retryMs = 50
    const pinia = createPinia()
    setActivePinia(pinia)
    const v = mountViewer('v', pinia)
    await eventually(() => expect(v.text()).toBe('v:open:1'))
    send('update', pipeline(2))
    await eventually(() => expect(v.text()).toBe('v:open:2'))

    // The connection drops (a proxy, a restart): the server's side ends.
    for (const res of open) res.end()

    await eventually(() => expect(connections).toBe(2))
    // The first connection asked for everything; the second resumes after version 2.
    expect(lastEventIds).toEqual([undefined, '2'])
    await eventually(() => expect(v.text()).toBe('v:open:2'))
    v.unmount()
    await eventually(() => expect(open.size).toBe(0))
  })

  it('after falling back to REST, opens the stream again with backoff and stops polling', async () => {
    setStreamTimings({ pollMs: 40, reopenMs: [150] })
    const pinia = createPinia()
    setActivePinia(pinia)
    const w = mountViewer('f', pinia, 9)
    // Refused: polled over REST, reported as an error.
    await eventually(() => expect(w.text()).toBe('f:error:2'))
    expect(restReads[0]).toBe('/api/v1/sync/pipelines/9')

    // The next try of the stream opens; it resumes after the version the REST read brought.
    await eventually(() => expect(w.text()).toBe('f:open:3'))
    expect(streams9).toHaveLength(2)
    expect(streams9[1]).toBe('/api/v1/sync/pipelines/9/stream?lastEventId=2')

    // Open again: no more polling.
    const polled = restReads.length
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(restReads.length).toBe(polled)
    w.unmount()
    await eventually(() => expect(open.size).toBe(0))
  })
})
