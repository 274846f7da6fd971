import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import { benchDir } from '../lib/results.ts'
import { wallClock } from '../lib/stats.ts'
import type { FromChild, ReportMode, System, ToChild } from './protocol.ts'

const script = path.join(benchDir, 'claim', 'worker-process.ts')

type Summary = Extract<FromChild, { type: 'summary' }>

/**
 * A worker process (worker-process.ts) seen from the benchmark: its messages, its clock
 * offset, and a stop that always ends it (SIGKILL if it does not stop in time).
 */
export class WorkerChild {
  readonly child: ChildProcess
  /** Handler start and end times by job id, on the benchmark's clock (offset applied). */
  readonly starts = new Map<string, number>()
  readonly finishes = new Map<string, number>()
  /** The child's clock minus the benchmark's, in ms; 0 until calibrate(). */
  offset = 0
  /** Round trip of the ping the offset was taken from. */
  offsetRtt = Number.NaN
  summary: Summary | undefined
  readonly exited: Promise<number | null>
  private readonly listeners = new Set<(m: FromChild) => void>()
  private failure: string | undefined
  private hasExited = false

  private constructor(
    readonly system: System,
    mode: ReportMode,
    databaseUrl: string,
    env: Record<string, string>,
  ) {
    this.child = spawn(process.execPath, ['--import', 'tsx', script, system, mode], {
      cwd: benchDir,
      env: { ...process.env, ...env, BENCH_DATABASE_URL: databaseUrl },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code) => {
        this.hasExited = true
        this.failure ??= code === 0 ? undefined : `exited with code ${code}`
        for (const l of this.listeners) l({ type: 'failed', message: this.failure ?? 'exited' })
        resolve(code)
      }),
    )
    this.child.on('message', (m: FromChild) => {
      if (m.type === 'start') this.starts.set(m.id, m.at - this.offset)
      else if (m.type === 'finished') this.finishes.set(m.id, m.at - this.offset)
      else if (m.type === 'summary') this.summary = m
      else if (m.type === 'failed') this.failure = m.message
      for (const l of this.listeners) l(m)
    })
  }

  /** Starts the process and waits until it is connected and ready for `go`. */
  static async start(
    system: System,
    mode: ReportMode,
    databaseUrl: string,
    env: Record<string, string> = {},
  ): Promise<WorkerChild> {
    const c = new WorkerChild(system, mode, databaseUrl, env)
    try {
      await c.until((m) => m.type === 'ready', 60_000, 'ready')
    } catch (error) {
      await c.stop()
      throw error
    }
    return c
  }

  send(message: ToChild): void {
    if (!this.hasExited && this.child.connected) this.child.send(message)
  }

  /** Resolves with the first message (from now on) that passes `check`. */
  until(check: (m: FromChild) => boolean, timeoutMs: number, what: string): Promise<FromChild> {
    return new Promise((resolve, reject) => {
      const done = (error: Error | undefined, m?: FromChild) => {
        clearTimeout(timer)
        this.listeners.delete(listener)
        if (error) reject(error)
        else resolve(m!)
      }
      const listener = (m: FromChild) => {
        if (m.type === 'failed')
          done(new Error(`${this.system} worker process failed: ${m.message}`))
        else if (check(m)) done(undefined, m)
      }
      const timer = setTimeout(
        () => done(new Error(`${this.system} worker process: no ${what} within ${timeoutMs} ms`)),
        timeoutMs,
      )
      if (this.failure || this.hasExited)
        return done(new Error(`${this.system} worker process failed: ${this.failure ?? 'exited'}`))
      this.listeners.add(listener)
    })
  }

  /** Waits until the handler of job `id` has started; returns when (benchmark clock). */
  async startOf(id: string, timeoutMs = 10_000): Promise<number> {
    const known = this.starts.get(id)
    if (known !== undefined) return known
    await this.until((m) => m.type === 'start' && m.id === id, timeoutMs, `start of job ${id}`)
    return this.starts.get(id)!
  }

  async finishOf(id: string, timeoutMs = 10_000): Promise<number> {
    const known = this.finishes.get(id)
    if (known !== undefined) return known
    await this.until((m) => m.type === 'finished' && m.id === id, timeoutMs, `end of job ${id}`)
    return this.finishes.get(id)!
  }

  /**
   * The child's clock offset, from the ping with the shortest round trip (NTP's idea): the
   * child read its clock somewhere within that round trip, so the error is at most half of it.
   */
  async calibrate(pings = 30): Promise<void> {
    let best = { rtt: Number.POSITIVE_INFINITY, offset: 0 }
    for (let i = 0; i < pings; i++) {
      const sent = wallClock()
      const pong = this.until((m) => m.type === 'pong', 5000, 'pong')
      this.send({ type: 'ping' })
      const m = (await pong) as Extract<FromChild, { type: 'pong' }>
      const received = wallClock()
      const rtt = received - sent
      if (rtt < best.rtt) best = { rtt, offset: m.now - (sent + received) / 2 }
    }
    this.offset = best.offset
    this.offsetRtt = best.rtt
  }

  go(): void {
    this.send({ type: 'go' })
  }

  /** Stops the process gracefully (it sends its summary), or kills it after `graceMs`. */
  async stop(graceMs = 15_000): Promise<Summary | undefined> {
    if (!this.hasExited) {
      this.send({ type: 'stop' })
      const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs)
      await this.exited
      clearTimeout(timer)
    }
    if (this.summary) {
      const s = this.summary
      return {
        ...s,
        firstStart: s.firstStart === null ? null : s.firstStart - this.offset,
        lastFinish: s.lastFinish === null ? null : s.lastFinish - this.offset,
      }
    }
    return undefined
  }
}
