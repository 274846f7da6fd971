import { readFileSync } from 'node:fs'
import os from 'node:os'

/**
 * Machine-wide CPU use, sampled from /proc/stat, so that a result can say how busy the machine
 * was while it was measured (the benchmark's own processes included): on a shared machine a
 * figure taken while other work ran is not comparable with one taken on an idle machine.
 * Returns nothing where /proc/stat does not exist.
 */
interface Sample {
  at: number
  busy: number
  total: number
}

function readStat(): Sample | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/)
    const ticks = fields.slice(1).map(Number)
    const total = ticks.reduce((a, b) => a + b, 0)
    // idle and iowait are the fourth and fifth counters.
    return { at: performance.now(), busy: total - ticks[3]! - ticks[4]!, total }
  } catch {
    return undefined
  }
}

export class CpuSampler {
  private readonly samples: Sample[] = []
  private timer: NodeJS.Timeout | undefined

  start(intervalMs = 250): void {
    this.take()
    this.timer = setInterval(() => this.take(), intervalMs)
    this.timer.unref()
  }

  stop(): void {
    clearInterval(this.timer)
    this.take()
  }

  /** Average busy cores between two performance.now() instants, or null without samples. */
  busyCores(from: number, to: number): number | null {
    const before = this.samples.findLast((s) => s.at <= from) ?? this.samples[0]
    const after = this.samples.find((s) => s.at >= to) ?? this.samples.at(-1)
    if (!before || !after || after.total <= before.total) return null
    const share = (after.busy - before.busy) / (after.total - before.total)
    return Math.round(share * os.availableParallelism() * 100) / 100
  }

  private take(): void {
    const sample = readStat()
    if (sample) this.samples.push(sample)
  }
}
