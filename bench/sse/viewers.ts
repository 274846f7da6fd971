import http from 'node:http'

/**
 * A minimal SSE viewer over node:http, one TCP connection of its own (no agent, no
 * keep-alive), that records when each event arrives. It reads only what it measures: the
 * event type and id (the pipeline's version); the JSON data is not parsed. Arrival time is
 * performance.now() when the chunk holding the end of the event is read, on the benchmark's
 * event loop, so a busy loop delays it: the latency measured is the one a client would see.
 */
export interface ReceivedEvent {
  type: string
  version: number
  /** performance.now() when it arrived. */
  at: number
}

export class Viewer {
  readonly events: ReceivedEvent[] = []
  /** Resolves once the first event (the snapshot) has arrived; rejects on failure before. */
  readonly ready: Promise<void>
  closedByServer = false
  error: string | undefined
  private readonly request: http.ClientRequest
  private buffer = ''
  private closing = false

  constructor(
    url: string,
    headers: Record<string, string>,
    readonly pipelineId: number,
  ) {
    let resolveReady: () => void
    let rejectReady: (error: Error) => void
    this.ready = new Promise((resolve, reject) => {
      resolveReady = resolve
      rejectReady = reject
    })
    // Awaited by openViewers; a failure after that (or of an abandoned viewer) is recorded only.
    this.ready.catch(() => {})
    const fail = (message: string) => {
      this.error ??= message
      rejectReady(new Error(message))
    }
    this.request = http.get(
      url,
      { agent: false, headers: { ...headers, accept: 'text/event-stream' } },
      (res) => {
        if (res.statusCode !== 200) {
          fail(`stream answered ${res.statusCode}`)
          res.resume()
          return
        }
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => {
          const at = performance.now()
          if (this.read(chunk, at)) resolveReady()
        })
        res.on('end', () => {
          if (!this.closing) this.closedByServer = true
          fail('stream ended before its snapshot')
        })
        res.on('error', (error) => fail(error.message))
      },
    )
    this.request.on('error', (error) => {
      if (!this.closing) fail(error.message)
    })
  }

  /** Parses complete events; true once a snapshot has been seen. */
  private read(chunk: string, at: number): boolean {
    this.buffer += chunk
    let end: number
    while ((end = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, end)
      this.buffer = this.buffer.slice(end + 2)
      let type = 'message'
      let id: string | undefined
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) type = line.slice(6).trim()
        else if (line.startsWith('id:')) id = line.slice(3).trim()
      }
      // `retry:` and keep-alive comments carry no id.
      if (id !== undefined) this.events.push({ type, version: Number(id), at })
    }
    return this.events.length > 0
  }

  lastVersion(): number | undefined {
    return this.events.at(-1)?.version
  }

  /** When the event of `version` arrived, if it did. */
  arrivalOf(version: number): number | undefined {
    for (let i = this.events.length - 1; i >= 0; i--) {
      const e = this.events[i]!
      if (e.version === version) return e.at
      if (e.version < version) return undefined
    }
    return undefined
  }

  close(): void {
    this.closing = true
    this.request.destroy()
  }
}

/** Opens `count` viewers, `concurrency` at a time, and waits for each one's snapshot. */
export async function openViewers(
  url: (pipelineId: number) => string,
  headers: Record<string, string>,
  pipelineIds: readonly number[],
  concurrency = 50,
  timeoutMs = 60_000,
): Promise<Viewer[]> {
  const viewers: Viewer[] = []
  let next = 0
  const deadline = Date.now() + timeoutMs
  const lane = async () => {
    while (next < pipelineIds.length) {
      const id = pipelineIds[next++]!
      const v = new Viewer(url(id), headers, id)
      viewers.push(v)
      let timer: NodeJS.Timeout | undefined
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error('no snapshot in time')),
          Math.max(1, deadline - Date.now()),
        )
      })
      try {
        await Promise.race([v.ready, late])
      } finally {
        clearTimeout(timer)
      }
    }
  }
  try {
    await Promise.all(Array.from({ length: concurrency }, lane))
  } catch (error) {
    for (const v of viewers) v.close()
    throw error
  }
  return viewers
}
