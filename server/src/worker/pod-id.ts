import { randomBytes } from 'node:crypto'
import os from 'node:os'

/** A pod (process) id, `host:pid:random`: unique even when a pid is reused after a restart. */
export function newPodId(): string {
  return `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`
}
