import { EventSource } from 'eventsource'

export interface ReceivedEvent {
  type: string
  id: string
  data: { version: number; status?: string; state?: string; [k: string]: unknown }
}

/**
 * A real EventSource client (the `eventsource` package) that records what it receives.
 * The session cookie rides on a custom fetch, as a browser would send it.
 */
export class StreamRecorder {
  readonly events: ReceivedEvent[] = []
  readonly es: EventSource
  errors = 0
  opened = 0

  constructor(url: string, headers: Record<string, string> = {}) {
    this.es = new EventSource(url, {
      fetch: (input, init) => fetch(input, { ...init, headers: { ...init?.headers, ...headers } }),
    })
    for (const type of ['snapshot', 'update', 'end']) {
      this.es.addEventListener(type, (e) => {
        this.events.push({ type, id: e.lastEventId, data: JSON.parse(e.data) })
        if (type === 'end') this.es.close()
      })
    }
    this.es.addEventListener('open', () => this.opened++)
    this.es.addEventListener('error', () => this.errors++)
  }

  types(): string[] {
    return this.events.map((e) => e.type)
  }

  async waitFor(
    check: (events: ReceivedEvent[]) => boolean,
    timeoutMs = 10_000,
    what = 'events',
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (!check(this.events)) {
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.types())}`)
      await new Promise((r) => setTimeout(r, 10))
    }
  }

  close(): void {
    this.es.close()
  }
}
