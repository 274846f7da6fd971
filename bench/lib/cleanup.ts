/**
 * Runs `body` with a `defer` function: whatever is deferred runs afterwards in reverse order,
 * whether `body` succeeds, throws, or the process is interrupted (SIGINT, SIGTERM), so that a
 * benchmark never leaves a database or a server behind.
 *
 * Repeated signals are ignored while cleaning up (tsx relays a Ctrl-C to its child a second
 * time). A process killed outright (SIGKILL, which tsx sends to a child that stays busy for
 * more than ~60 ms after a Ctrl-C) cannot clean up: see dropStaleBenchDatabases.
 */
export type Defer = (label: string, fn: () => Promise<void>) => void

export async function withCleanup<T>(body: (defer: Defer) => Promise<T>): Promise<T> {
  const stack: { label: string; fn: () => Promise<void> }[] = []
  let running: Promise<void> | undefined
  const cleanUp = () =>
    (running ??= (async () => {
      for (const { label, fn } of stack.reverse()) {
        try {
          await fn()
        } catch (error) {
          process.stderr.write(`cleanup "${label}" failed: ${String(error)}\n`)
        }
      }
    })())
  const onSignal = (signal: NodeJS.Signals) => {
    if (running) return
    process.stderr.write(`\n${signal}: cleaning up\n`)
    void cleanUp().finally(() => process.exit(130))
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  try {
    return await body((label, fn) => stack.push({ label, fn }))
  } finally {
    await cleanUp()
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}
