import { CsvFormatError } from './errors'
import type { CsvDelimiter, CsvRecord } from './read-csv'

const LF = 10
const CR = 13
const QUOTE = 34
const HASH = 35
const COMMA = 44
const SEMICOLON = 59

/** Turns decoded text into records; text may be cut anywhere. */
export class RecordParser {
  delimiter: CsvDelimiter | undefined
  header: CsvRecord | undefined
  records = 0
  /** Physical line number at the start of `pending`. */
  private line = 1
  /** Start of a record whose end has not been seen yet. */
  private pending = ''
  private queued: string[] = []
  private queuedLength = 0
  private skipLf = false
  private inComment = false

  constructor(private readonly max: number) {}

  feed(text: string, out: CsvRecord[]): void {
    if (text.length === 0) return
    if (this.pending.length === 0) return this.run(text, false, out)
    // An incomplete record is re-parsed from its start; waiting until the new text is at least as
    // long as the pending part keeps a record split over many small chunks linear, not quadratic.
    this.queued.push(text)
    this.queuedLength += text.length
    if (this.queuedLength >= this.pending.length) this.run(this.takePending(), false, out)
  }

  end(out: CsvRecord[]): void {
    this.run(this.takePending(), true, out)
  }

  private takePending(): string {
    const s = this.pending + this.queued.join('')
    this.pending = ''
    this.queued = []
    this.queuedLength = 0
    return s
  }

  private run(s: string, final: boolean, out: CsvRecord[]): void {
    const n = s.length
    let p = 0
    if (this.skipLf && n > 0) {
      this.skipLf = false
      if (s.charCodeAt(0) === LF) p = 1
    }
    let lf = s.indexOf('\n', p)
    let cr = s.indexOf('\r', p)
    let quote = s.indexOf('"', p)
    if (this.inComment) {
      const e = lf === -1 ? cr : cr === -1 ? lf : Math.min(lf, cr)
      if (e === -1) return
      this.inComment = false
      p = this.terminator(s, e, final)
    }
    while (p < n) {
      const c = s.charCodeAt(p)
      if (c === LF || c === CR) {
        p = this.terminator(s, p, final)
        continue
      }
      if (lf !== -1 && lf < p) lf = s.indexOf('\n', p)
      if (cr !== -1 && cr < p) cr = s.indexOf('\r', p)
      let e = lf === -1 ? cr : cr === -1 ? lf : Math.min(lf, cr)
      if (c === HASH) {
        if (e !== -1) p = this.terminator(s, e, final)
        else {
          // Comments are never needed later, so a long one is dropped rather than buffered.
          this.inComment = !final
          p = n
        }
        continue
      }
      if (this.delimiter === undefined) {
        const found = detectDelimiter(s, p, final)
        if (found === undefined) break
        if (!found.hasContent) {
          this.line += countLineBreaks(s, p, found.end)
          p = found.end < n ? this.terminator(s, found.end, final) : n
          continue
        }
        this.delimiter = found.delimiter
      }
      if (quote !== -1 && quote < p) quote = s.indexOf('"', p)
      if (e === -1) {
        if (!final) break
        e = n
      }
      if (quote !== -1 && quote < e) {
        const next = this.parseQuoted(s, p, final, out)
        if (next === -1) break
        p = next
        continue
      }
      // Fast path: a line without quotes is just split on the delimiter.
      if (e - p > this.max) throw this.tooLong(s, p)
      const text = s.slice(p, e)
      const cells = text.split(this.delimiter)
      // Only delimiters (e.g. ",,," from spreadsheets) means every cell is empty.
      if (text.length !== cells.length - 1) this.emit({ line: this.line, cells }, out)
      p = e < n ? this.terminator(s, e, final) : n
    }
    if (p < n) {
      if (n - p > this.max) throw this.tooLong(s, p)
      this.pending = s.slice(p)
    }
  }

  /** Parses a record containing quotes; returns the position after it, or -1 if incomplete. */
  private parseQuoted(s: string, p: number, final: boolean, out: CsvRecord[]): number {
    const n = s.length
    const delimiter = this.delimiter === ';' ? SEMICOLON : COMMA
    const cells: string[] = []
    let malformed: CsvRecord['malformed']
    let line = this.line
    let i = p
    for (;;) {
      let value: string
      if (i < n && s.charCodeAt(i) === QUOTE) {
        value = ''
        let j = i + 1
        for (;;) {
          const k = s.indexOf('"', j)
          // Checked before waiting for more text or reporting an unterminated quote, so that a
          // long unclosed quote fails the same way whether the text arrives whole or in pieces.
          if ((k === -1 ? n : k) - p > this.max) throw this.tooLong(s, p)
          if (k === -1 || (k + 1 === n && !final)) {
            if (!final) return -1
            throw new CsvFormatError(
              'unterminated_quote',
              `A quoted value opened on line ${line} is never closed: a closing quote (") is missing.`,
              { line },
            )
          }
          value += s.slice(j, k)
          if (s.charCodeAt(k + 1) !== QUOTE) {
            line += countLineBreaks(s, i + 1, k)
            i = k + 1
            break
          }
          value += '"'
          j = k + 2
        }
        const c = i < n ? s.charCodeAt(i) : delimiter
        if (c !== delimiter && c !== LF && c !== CR) {
          // Lenient recovery: keep the stray text as part of the value and flag the record.
          malformed ??= {
            code: 'malformed_quotes',
            message:
              `Malformed quotes in column ${cells.length + 1} on line ${line}: unexpected text ` +
              `after a closing quote. Quotes inside a quoted value must be doubled ("").`,
          }
          const end = fieldEnd(s, i, delimiter)
          value += s.slice(i, end)
          i = end
        }
      } else {
        const end = fieldEnd(s, i, delimiter)
        value = s.slice(i, end)
        i = end
      }
      if (i - p > this.max) throw this.tooLong(s, p)
      if (i === n && !final) return -1
      cells.push(value)
      if (i < n && s.charCodeAt(i) === delimiter) i++
      else break
    }
    if (cells.some((cell) => cell.length > 0)) {
      const record: CsvRecord = { line: this.line, cells }
      if (malformed !== undefined) record.malformed = malformed
      this.emit(record, out)
    }
    this.line = line
    return i < n ? this.terminator(s, i, final) : n
  }

  private emit(record: CsvRecord, out: CsvRecord[]): void {
    if (this.header === undefined) this.header = record
    else this.records++
    out.push(record)
  }

  /** Consumes the line break at `e` (LF, CRLF or a lone CR). */
  private terminator(s: string, e: number, final: boolean): number {
    this.line++
    if (s.charCodeAt(e) === LF) return e + 1
    if (e + 1 < s.length) return s.charCodeAt(e + 1) === LF ? e + 2 : e + 1
    // The LF of a CRLF may arrive with the next chunk.
    if (!final) this.skipLf = true
    return e + 1
  }

  /** The record at `p` is known to be longer than the limit, so s holds at least max + 1 of its chars. */
  private tooLong(s: string, p: number): CsvFormatError {
    const quoteLine = openQuoteLine(s, p, p + this.max + 1, this.line)
    const hint =
      quoteLine === undefined
        ? ''
        : ` A quoted value opened on line ${quoteLine} runs past this limit: check for a missing closing quote (").`
    return new CsvFormatError(
      'record_too_long',
      `The record starting on line ${this.line} is longer than ${this.max} characters.${hint}`,
      { line: this.line },
    )
  }
}

/** End of an unquoted field: the next delimiter, line break or end of text. */
function fieldEnd(s: string, i: number, delimiter: number): number {
  const n = s.length
  while (i < n) {
    const c = s.charCodeAt(i)
    if (c === delimiter || c === LF || c === CR) return i
    i++
  }
  return n
}

/**
 * Line where a quote still open at `limit` was opened. Only the record's first max + 1 characters
 * are looked at, so the answer does not depend on how much more text happened to be buffered.
 * Either delimiter may start a field here because the header's delimiter may not be known yet.
 */
function openQuoteLine(s: string, p: number, limit: number, line: number): number | undefined {
  let fieldStart = true
  let opened = -1
  for (let i = p; i < limit; i++) {
    const c = s.charCodeAt(i)
    if (opened !== -1) {
      if (c !== QUOTE) continue
      if (i + 1 < limit && s.charCodeAt(i + 1) === QUOTE) i++
      else opened = -1
    } else if (c === QUOTE && fieldStart) {
      opened = i
      fieldStart = false
    } else fieldStart = c === COMMA || c === SEMICOLON
  }
  return opened === -1 ? undefined : line + countLineBreaks(s, p, opened)
}

function countLineBreaks(s: string, from: number, to: number): number {
  let count = 0
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i)
    if (c === LF || (c === CR && s.charCodeAt(i + 1) !== LF)) count++
  }
  return count
}

/**
 * Counts delimiters outside quotes in the record at `p`. Either delimiter may separate fields here,
 * so a quote opens a quoted value after either one. Returns undefined when the record is incomplete.
 */
function detectDelimiter(
  s: string,
  p: number,
  final: boolean,
): { delimiter: CsvDelimiter; end: number; hasContent: boolean } | undefined {
  const n = s.length
  let commas = 0
  let semicolons = 0
  let hasContent = false
  let fieldStart = true
  let i = p
  scan: while (i < n) {
    const c = s.charCodeAt(i)
    if (c === LF || c === CR) break
    if (c === COMMA || c === SEMICOLON) {
      if (c === COMMA) commas++
      else semicolons++
      fieldStart = true
      i++
      continue
    }
    const quoted = c === QUOTE && fieldStart
    fieldStart = false
    if (!quoted) {
      hasContent = true
      i++
      continue
    }
    let j = i + 1
    for (;;) {
      const k = s.indexOf('"', j)
      if (k === -1 || (k + 1 === n && !final)) {
        if (!final) return undefined
        // Unterminated: let the record parser report it.
        hasContent = true
        i = n
        break scan
      }
      if (k > j) hasContent = true
      if (s.charCodeAt(k + 1) !== QUOTE) {
        i = k + 1
        continue scan
      }
      hasContent = true
      j = k + 2
    }
  }
  if (i === n && !final) return undefined
  return { delimiter: semicolons > commas ? ';' : ',', end: i, hasContent }
}
