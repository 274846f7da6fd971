import { constants } from 'node:fs'
import { access, open, stat } from 'node:fs/promises'
import type { Sql } from 'postgres'

/**
 * Counting and timing the statements a process sends, from PostgreSQL's own log: with
 * `log_min_duration_statement = 0` set on the benchmark database (ALTER DATABASE, so only the
 * sessions opened afterwards log), every statement of those sessions is logged with its
 * duration, and a window of the log (between two byte offsets) tells what ran meanwhile.
 *
 * This needs the server's log file to be readable (a local PostgreSQL logging to a file, and
 * the right to read it) and a `log_line_prefix` that names the database (`%d`), as Debian's
 * default `%m [%p] %q%u@%d ` does. `BENCH_PG_LOG` points at another file.
 */
export const pgLogPath = process.env['BENCH_PG_LOG'] ?? '/var/log/postgresql/postgresql-15-main.log'

export async function pgLogReadable(file = pgLogPath): Promise<boolean> {
  try {
    await access(file, constants.R_OK)
    return true
  } catch {
    return false
  }
}

/** Logs every statement of the sessions opened from now on (the database's own setting). */
export async function logEveryStatement(admin: Sql, database: string, on: boolean): Promise<void> {
  const name = `"${database.replaceAll('"', '""')}"`
  await admin.unsafe(
    on
      ? `ALTER DATABASE ${name} SET log_min_duration_statement = 0`
      : `ALTER DATABASE ${name} RESET log_min_duration_statement`,
  )
}

/**
 * One protocol step of one statement: `statement` for the simple protocol, `parse`, `bind`
 * and `execute` for the extended one (a prepared statement that is reused has no parse).
 */
export interface LoggedStep {
  pid: number
  step: 'statement' | 'parse' | 'bind' | 'execute'
  ms: number
  /** The statement's text, whitespace collapsed. */
  text: string
}

/** A position in the log: what is appended after it belongs to the window. */
export async function logOffset(file = pgLogPath): Promise<number> {
  return (await stat(file)).size
}

/** The steps logged for `database` between two offsets. */
export async function readLogWindow(
  database: string,
  from: number,
  to?: number,
  file = pgLogPath,
): Promise<LoggedStep[]> {
  const end = to ?? (await logOffset(file))
  if (end < from) throw new Error(`${file} shrank during the measure (log rotation?)`)
  const handle = await open(file, 'r')
  try {
    const buffer = Buffer.alloc(end - from)
    await handle.read(buffer, 0, buffer.length, from)
    return parseLog(buffer.toString('utf8'), database)
  } finally {
    await handle.close()
  }
}

const linePrefix =
  /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? \S+ \[(\d+)\] (\S*)@(\S*) ([A-Z]+): {2}(.*)$/
const durationMessage = /^duration: ([\d.]+) ms {2}(statement|parse|bind|execute)(?: [^:]*)?: ?/

/** Parses log text; continuation lines (a statement over several lines) start with a tab. */
export function parseLog(text: string, database: string): LoggedStep[] {
  const steps: LoggedStep[] = []
  let current: { pid: number; level: string; db: string; message: string } | undefined
  const flush = () => {
    if (!current || current.db !== database || current.level !== 'LOG') return
    const m = durationMessage.exec(current.message)
    if (!m) return
    steps.push({
      pid: current.pid,
      step: m[2] as LoggedStep['step'],
      ms: Number(m[1]),
      text: current.message.slice(m[0].length).replace(/\s+/g, ' ').trim(),
    })
  }
  for (const line of text.split('\n')) {
    const m = linePrefix.exec(line)
    if (m) {
      flush()
      current = { pid: Number(m[1]), db: m[3]!, level: m[4]!, message: m[5]! }
    } else if (current && line.startsWith('\t')) {
      current.message += `\n${line}`
    }
  }
  flush()
  return steps
}

/** Statements and server-side time by statement shape (its first characters). */
export interface StatementShape {
  shape: string
  /** Statements executed (simple `statement` or extended `execute` steps). */
  count: number
  /** Server-side milliseconds, parse and bind steps included. */
  ms: number
}

export interface StatementProfile {
  statements: number
  /** Transactions opened explicitly (BEGIN). */
  transactions: number
  serverMs: number
  shapes: StatementShape[]
  /** Backends that logged something. */
  sessions: number
}

const shapeLength = 72

export function shapeOf(text: string): string {
  return text.length > shapeLength ? `${text.slice(0, shapeLength - 3)}...` : text
}

export function profileSteps(steps: readonly LoggedStep[]): StatementProfile {
  const shapes = new Map<string, StatementShape>()
  let statements = 0
  let transactions = 0
  let serverMs = 0
  for (const s of steps) {
    const shape = shapeOf(s.text)
    let entry = shapes.get(shape)
    if (!entry) shapes.set(shape, (entry = { shape, count: 0, ms: 0 }))
    entry.ms += s.ms
    serverMs += s.ms
    if (s.step === 'statement' || s.step === 'execute') {
      entry.count++
      statements++
      if (/^begin\b/i.test(s.text)) transactions++
    }
  }
  return {
    statements,
    transactions,
    serverMs,
    shapes: [...shapes.values()].sort((a, b) => b.count - a.count || b.ms - a.ms),
    sessions: new Set(steps.map((s) => s.pid)).size,
  }
}
