import { sleep } from '../lib/benchmark.ts'
import { wallClock } from '../lib/stats.ts'
import type { WorkerChild } from './children.ts'
import type { System } from './protocol.ts'

/**
 * Pickup latency of an idle worker: enqueue one job, wait until its handler has started and
 * the job is done, let the worker fall idle again, repeat. The two systems are sampled
 * alternately (ours, graphile, graphile, ours, ...), so that both see the same machine load.
 */
export interface PickupSample {
  /** From just before the enqueue began (ours: before BEGIN; graphile: before addJob). */
  fromEnqueueMs: number
  /** From just after the enqueue returned (its COMMIT acknowledged): a lower bound. */
  fromCommitMs: number
  /** How long the enqueue itself took, as the caller saw it. */
  enqueueMs: number
}

export interface PickupSystem {
  system: System
  child: WorkerChild
  /** Enqueues job number `i`; resolves with its id once committed. */
  enqueue(i: number): Promise<string>
  /** Resolves once the job is done and the worker idle again. */
  settle(id: string): Promise<void>
}

export async function measurePickup(
  systems: readonly PickupSystem[],
  warmup: number,
  samples: number,
  onProgress: (done: number) => void = () => {},
): Promise<Map<System, PickupSample[]>> {
  const result = new Map<System, PickupSample[]>(systems.map((s) => [s.system, []]))
  for (let i = 0; i < warmup + samples; i++) {
    const order = i % 2 === 0 ? systems : [...systems].reverse()
    for (const s of order) {
      const before = wallClock()
      const id = await s.enqueue(i)
      const after = wallClock()
      const start = await s.child.startOf(id)
      await s.settle(id)
      if (i >= warmup)
        result.get(s.system)!.push({
          fromEnqueueMs: start - before,
          fromCommitMs: start - after,
          enqueueMs: after - before,
        })
      // Idle again: the slot has looked for another job, found none and gone to sleep.
      await sleep(30 + Math.random() * 20)
    }
    if ((i + 1) % 50 === 0) onProgress(i + 1)
  }
  return result
}
