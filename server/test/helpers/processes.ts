import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const serverDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

export interface ServerProcess {
  child: ChildProcess
  /** Everything the process printed. */
  output(): string
  /** Resolves with the URL an API process prints once it listens. */
  url: Promise<string>
  /** Resolves with the URL of a worker process's /metrics once it listens. */
  metricsUrl: Promise<string>
  exited: Promise<number | null>
  kill(signal?: NodeJS.Signals): void
}

/** Starts `src/main.ts <role>` as a real process with the given environment. */
export function startServerProcess(
  role: 'all' | 'api' | 'worker',
  env: Record<string, string>,
): ServerProcess {
  // node with the tsx loader, not the tsx CLI: the CLI runs the program in a child process,
  // which a SIGKILL of the CLI would leave running.
  // An empty value removes the variable (e.g. DATABASE_URL: '' for the embedded database).
  const merged: Record<string, string | undefined> = {
    ...process.env,
    LOG_LEVEL: 'warn',
    SEED_DEMO: 'false',
    // A worker's /metrics on any free port: tests run many processes at once.
    METRICS_PORT: '0',
    // The fixtures of the suite are files of 2025: the demo data must not move with the clock.
    DEMO_DATA_YEAR: '2025',
    ...env,
  }
  for (const [k, v] of Object.entries(merged)) if (v === '') delete merged[k]
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', role], {
    cwd: serverDir,
    env: merged,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let resolveUrl: (url: string) => void
  const url = new Promise<string>((resolve) => (resolveUrl = resolve))
  let resolveMetricsUrl: (url: string) => void
  const metricsUrl = new Promise<string>((resolve) => (resolveMetricsUrl = resolve))
  const onData = (chunk: Buffer) => {
    out += chunk.toString()
    const m = /running at (http:\/\/\S+)/.exec(out)
    if (m) resolveUrl(m[1]!.replace('localhost', '127.0.0.1'))
    const w = /metrics at (http:\/\/\S+)/.exec(out)
    if (w) resolveMetricsUrl(w[1]!.replace('localhost', '127.0.0.1'))
  }
  child.stdout!.on('data', onData)
  child.stderr!.on('data', onData)
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  )
  return {
    child,
    output: () => out,
    url,
    metricsUrl,
    exited,
    kill: (signal = 'SIGTERM') => child.kill(signal),
  }
}
