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
  const onData = (chunk: Buffer) => {
    out += chunk.toString()
    const m = /running at (http:\/\/\S+)/.exec(out)
    if (m) resolveUrl(m[1]!.replace('localhost', '127.0.0.1'))
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
    exited,
    kill: (signal = 'SIGTERM') => child.kill(signal),
  }
}
