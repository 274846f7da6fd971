import { describe, expect, it } from 'vitest'
import {
  CsvFormatError,
  parseCsvText,
  readCsv,
  type CsvReadOptions,
  type CsvReadSummary,
  type CsvRecord,
} from './read-csv'

const encoder = new TextEncoder()

/** Builds a byte array from text (UTF-8) and raw byte values. */
function bytes(...parts: (string | number[] | Uint8Array)[]): Uint8Array {
  const arrays = parts.map((part) =>
    typeof part === 'string' ? encoder.encode(part) : Uint8Array.from(part),
  )
  const out = new Uint8Array(arrays.reduce((sum, a) => sum + a.length, 0))
  let at = 0
  for (const a of arrays) {
    out.set(a, at)
    at += a.length
  }
  return out
}

type Outcome =
  | { records: CsvRecord[]; summary: CsvReadSummary }
  | { error: { code: string; line?: number; offset?: number; message: string } }

async function read(
  chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
  options?: CsvReadOptions,
): Promise<Outcome> {
  const records: CsvRecord[] = []
  try {
    const reader = readCsv(chunks, options)
    for (;;) {
      const step = await reader.next()
      if (step.done) return { records, summary: step.value }
      records.push(...step.value)
    }
  } catch (error) {
    if (!(error instanceof CsvFormatError)) throw error
    const { code, line, offset, message } = error
    return { error: { code, line, offset, message } }
  }
}

function errorOf(input: string | Uint8Array, options?: CsvReadOptions): CsvFormatError {
  try {
    parseCsvText(input, options)
  } catch (error) {
    if (error instanceof CsvFormatError) return error
    throw error
  }
  throw new Error('expected a CsvFormatError')
}

/** Rows as plain cell arrays, header first. */
function rows(input: string | Uint8Array): string[][] {
  const { header, records } = parseCsvText(input)
  return [header, ...records].map((r) => r.cells)
}

function lines(input: string): number[] {
  const { header, records } = parseCsvText(input)
  return [header, ...records].map((r) => r.line)
}

function* splitEvery(data: Uint8Array, size: number): Generator<Uint8Array> {
  for (let at = 0; at < data.length; at += size) yield data.subarray(at, at + size)
}

function* splitRandomly(data: Uint8Array, seed: number, maxSize: number): Generator<Uint8Array> {
  let state = seed
  const random = (): number => {
    // mulberry32: deterministic, so a failure can be reproduced from the seed.
    state = (state + 0x6d2b79f5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  let at = 0
  while (at < data.length) {
    const size = 1 + Math.floor(random() * maxSize)
    yield data.subarray(at, at + size)
    at += size
  }
}

describe('encoding', () => {
  it('strips a UTF-8 BOM but counts it in bytes', async () => {
    const data = bytes([0xef, 0xbb, 0xbf], 'id,name\n1,é\n')
    const outcome = await read([data])
    expect(outcome).toEqual({
      records: [
        { line: 1, cells: ['id', 'name'] },
        { line: 2, cells: ['1', 'é'] },
      ],
      summary: { delimiter: ',', bytes: data.length, records: 1 },
    })
  })

  it('decodes multi-byte characters split across chunks', async () => {
    const data = bytes('a,b\n€,😀\n')
    const outcome = await read(splitEvery(data, 1))
    expect(outcome).toMatchObject({ records: [{ cells: ['a', 'b'] }, { cells: ['€', '😀'] }] })
  })

  it.each([
    ['a lone continuation byte', bytes('a,b\n1,', [0x80], '\n'), 6],
    ['an invalid lead byte', bytes('a,b\n1,x', [0xff], '\n'), 7],
    ['an overlong 2-byte encoding', bytes('a,b\n', [0xc0, 0xaf], '\n'), 4],
    ['an overlong 3-byte encoding', bytes('a,b\n', [0xe0, 0x80, 0xaf], '\n'), 4],
    ['an encoded UTF-16 surrogate', bytes('a,b\n', [0xed, 0xa0, 0x80], '\n'), 4],
    ['a code point above U+10FFFF', bytes('a,b\n', [0xf4, 0x90, 0x80, 0x80], '\n'), 4],
    ['a sequence cut short mid-file', bytes('a,b\n1,', [0xe2, 0x82], 'x\n'), 6],
    ['a sequence truncated at end of file', bytes('a,b\n1,2', [0xf0, 0x9f, 0x98]), 7],
    ['a Latin-1 é after a BOM', bytes([0xef, 0xbb, 0xbf], 'a,b\n', [0xe9], '\n'), 7],
  ])('rejects %s with the offset of the first bad byte', (_name, data, offset) => {
    const error = errorOf(data)
    expect(error.code).toBe('invalid_utf8')
    expect(error.offset).toBe(offset)
    expect(error.message).toContain(`offset ${offset}`)
    expect(error.message).toMatch(/re-save it as UTF-8/i)
  })

  it('finds the offset of a bad sequence straddling two chunks', async () => {
    const head = bytes('a,b\n', 'x'.repeat(5000), ',1\n')
    const chunks = [bytes(head, 'y', [0xe2, 0x82]), bytes([0x41], '\n')]
    const outcome = await read(chunks)
    expect(outcome).toMatchObject({ error: { code: 'invalid_utf8', offset: head.length + 1 } })
  })

  it('explains UTF-16 files', () => {
    const error = errorOf(bytes([0xff, 0xfe, 0x61, 0x00, 0x0a, 0x00]))
    expect(error).toMatchObject({ code: 'invalid_utf8', offset: 0 })
    expect(error.message).toContain('UTF-16')
  })
})

describe('binary files', () => {
  it('rejects a NUL byte with its offset', () => {
    const error = errorOf(bytes('a,b\n1,', [0], '\n'))
    expect(error).toMatchObject({ code: 'binary_file', offset: 6 })
    expect(error.message).toContain('binary file, not CSV')
  })

  it('rejects a NUL byte far into the file', () => {
    const head = bytes('a,b\n', '1,2\n'.repeat(5000))
    expect(errorOf(bytes(head, [0]))).toMatchObject({ code: 'binary_file', offset: head.length })
  })

  it('calls an .xls file binary although its first bytes are invalid UTF-8', () => {
    const xls = bytes([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0])
    expect(errorOf(xls)).toMatchObject({ code: 'binary_file', offset: 8 })
  })

  it('reports invalid UTF-8 that comes before a NUL outside the first 4 KiB', () => {
    const head = bytes('a,b\n', '1,2\n'.repeat(2000))
    expect(errorOf(bytes(head, [0xff, 0]))).toMatchObject({
      code: 'invalid_utf8',
      offset: head.length,
    })
  })
})

describe('delimiter detection', () => {
  it.each([
    ['a;b;c\n1;2;3\n', ';', ['1', '2', '3']],
    ['a,b;c\n1,2;3\n', ',', ['1', '2;3']],
    ['a,b;c;d\n1,2;3;4\n', ';', ['1,2', '3', '4']],
    ['a;b,c\n1;2,3\n', ',', ['1;2', '3']],
    ['single\nvalue\n', ',', ['value']],
    ['"a;b;c",d\n1,2\n', ',', ['1', '2']],
    ['"x ""q"";y";z\n1;2\n', ';', ['1', '2']],
  ])('detects the delimiter of %j', (input, delimiter, firstRow) => {
    const result = parseCsvText(input)
    expect(result.delimiter).toBe(delimiter)
    expect(result.records[0]?.cells).toEqual(firstRow)
  })

  it('uses the first line that is not a comment, blank or only delimiters', () => {
    const result = parseCsvText('# exported; by; tool\n\n;;;;\na,b;c\n1,2;3\n')
    expect(result.delimiter).toBe(',')
    expect(result.header).toEqual({ line: 4, cells: ['a', 'b;c'] })
  })
})

describe('line endings', () => {
  it('accepts LF, CRLF and a mix of both', () => {
    expect(rows('a,b\r\n1,2\r\n3,4\n5,6')).toEqual([
      ['a', 'b'],
      ['1', '2'],
      ['3', '4'],
      ['5', '6'],
    ])
  })

  it('keeps CR, LF and CRLF inside quotes as data', () => {
    expect(rows('a,b\r\n"x\ry","p\r\nq"\r\n"m\nn",z\r\n')).toEqual([
      ['a', 'b'],
      ['x\ry', 'p\r\nq'],
      ['m\nn', 'z'],
    ])
  })

  it('treats a lone CR outside quotes as a line break (classic Mac files)', () => {
    expect(rows('a,b\r1,2\r3,4')).toEqual([
      ['a', 'b'],
      ['1', '2'],
      ['3', '4'],
    ])
    expect(lines('a,b\r1,2\r\r3,4')).toEqual([1, 2, 4])
  })
})

describe('comments and blank records', () => {
  it('skips comment lines anywhere but keeps # inside cells', () => {
    const input = '#top\na,b\n# between\n1,#2\n"#3","x\n#not a comment"\n#end'
    const { header, records } = parseCsvText(input)
    expect(header).toEqual({ line: 2, cells: ['a', 'b'] })
    expect(records).toEqual([
      { line: 4, cells: ['1', '#2'] },
      { line: 5, cells: ['#3', 'x\n#not a comment'] },
    ])
  })

  it('skips blank lines and records whose cells are all empty', () => {
    const input = '\n\na;b\n\n1;2\n;;\n"";""\n\r\n;x\n \n'
    expect(lines(input)).toEqual([3, 5, 9, 10])
    expect(rows(input)).toEqual([['a', 'b'], ['1', '2'], ['', 'x'], [' ']])
  })
})

describe('quoted fields', () => {
  it('unquotes delimiters, doubled quotes and newlines without trimming', () => {
    expect(rows('a,b,c\n"1,5"," say ""hi"" ","x\ny"\n"",,  z \n1,\n')).toEqual([
      ['a', 'b', 'c'],
      ['1,5', ' say "hi" ', 'x\ny'],
      ['', '', '  z '],
      ['1', ''],
    ])
  })

  it('numbers records by the line they start on', () => {
    expect(lines('a,b\n"1\n2\r\n3",x\n4,"5\r6"\n7,8\n')).toEqual([1, 2, 5, 7])
  })

  it('keeps a quote in the middle of an unquoted field as a literal', () => {
    const { records } = parseCsvText('a,b\n5" pipe,ab"c\n')
    expect(records).toEqual([{ line: 2, cells: ['5" pipe', 'ab"c'] }])
  })
})

describe('malformed quotes', () => {
  it('flags text after a closing quote and resumes at the next record', () => {
    const { records } = parseCsvText('a,b,c\n1,"ab"c,d\n"x" y,2,3\n4,5,6\n')
    expect(records.map((r) => r.cells)).toEqual([
      ['1', 'abc', 'd'],
      ['x y', '2', '3'],
      ['4', '5', '6'],
    ])
    expect(records[0]?.malformed?.code).toBe('malformed_quotes')
    expect(records[0]?.malformed?.message).toContain('column 2')
    expect(records[1]?.malformed?.message).toContain('column 1')
    expect(records[2]).not.toHaveProperty('malformed')
  })

  it('names the first bad column when a record has several', () => {
    const { records } = parseCsvText('a,b,c\n1,"x"y,"z"w\n')
    expect(records[0]?.cells).toEqual(['1', 'xy', 'zw'])
    expect(records[0]?.malformed?.message).toContain('column 2 on line 2')
  })

  it('rejects a quote that is never closed with the line where it opened', () => {
    const error = errorOf('a,b\n1,2\n"multi\nline",x\n3,"open\n4,5\n')
    expect(error).toMatchObject({ code: 'unterminated_quote', line: 5 })
    expect(error.message).toContain('line 5')
  })
})

describe('empty files', () => {
  it.each([
    ['no bytes', bytes()],
    ['only a BOM', bytes([0xef, 0xbb, 0xbf])],
    ['only comments and blank lines', bytes('# nothing\n\r\n\n#x')],
    ['only empty records', bytes(',,,\n;;\n')],
  ])('rejects %s as empty_file', (_name, data) => {
    expect(errorOf(data).code).toBe('empty_file')
  })

  it('rejects a header without data as no_rows', () => {
    expect(errorOf('# c\na,b\n\n# only comments\n,,\n')).toMatchObject({ code: 'no_rows', line: 2 })
  })
})

describe('record length limit', () => {
  it('accepts a record of exactly the limit and rejects a longer one', () => {
    const options = { maxRecordLength: 10 }
    expect(parseCsvText('a\n123456789,\n', options).records).toHaveLength(1)
    expect(errorOf('a\n1,2\n"1234\n5678"\n', options)).toMatchObject({
      code: 'record_too_long',
      line: 3,
    })
    expect(errorOf('a\n1,2\n"1234\n56789",\n', options)).toMatchObject({ line: 3 })
  })

  it('fails fast on a huge single line without buffering it', async () => {
    let produced = 0
    function* hugeLine(): Generator<Uint8Array> {
      const chunk = encoder.encode('x,'.repeat(32 * 1024))
      yield encoder.encode('a,b\n')
      for (; produced < 200 * 1024 * 1024; produced += chunk.length) yield chunk
    }
    const outcome = await read(hugeLine())
    expect(outcome).toMatchObject({ error: { code: 'record_too_long', line: 2 } })
    expect(produced).toBeLessThan(4 * 1024 * 1024)
  })

  it('hints at an unclosed quote when one swallows the rest of the file', () => {
    const error = errorOf('a,b\n1,"oops\n' + '2,3\n'.repeat(1000), { maxRecordLength: 100 })
    expect(error).toMatchObject({ code: 'record_too_long', line: 2 })
    expect(error.message).toContain('quoted value opened on line 2')
  })

  it('does not count long comment lines against the limit', () => {
    const { records } = parseCsvText(`#${'c'.repeat(500)}\na,b\n1,2\n`, { maxRecordLength: 100 })
    expect(records).toHaveLength(1)
  })
})

describe('readCsv', () => {
  it('yields records while the source is still streaming', async () => {
    const batches: number[] = []
    let receivedBeforeLastChunk = -1
    async function* source(): AsyncGenerator<Uint8Array> {
      yield encoder.encode('a,b\n' + '1,2\n'.repeat(2000))
      yield encoder.encode('3,4\n'.repeat(10))
      receivedBeforeLastChunk = batches.reduce((sum, size) => sum + size, 0)
      yield encoder.encode('5,6\n')
    }
    const reader = readCsv(source())
    let summary: CsvReadSummary | undefined
    while (summary === undefined) {
      const step = await reader.next()
      if (step.done) summary = step.value
      else batches.push(step.value.length)
    }
    expect(receivedBeforeLastChunk).toBe(2011)
    expect(batches).toEqual([2001, 10, 1])
    expect(summary).toEqual({ delimiter: ',', bytes: 8000 + 4 + 40 + 4, records: 2011 })
  })

  it('accepts a string in parseCsvText with the same result as its bytes', () => {
    const text = '\uFEFFa;b\n"x;1";é\n'
    expect(parseCsvText(text)).toEqual(parseCsvText(encoder.encode(text)))
    expect(parseCsvText(text).header.cells).toEqual(['a', 'b'])
  })
})

// Every file is read whole, byte by byte and in random chunk sizes; all must agree.
const corpus: [string, Uint8Array][] = [
  ['typical', bytes('date,site,kwh\n2024-01-01,Paris,12.5\n2024-01-02,Lyon,"1,5"\n')],
  ['bom + crlf', bytes([0xef, 0xbb, 0xbf], 'a;b\r\n1;2\r\n"x\r\ny";"q""q"\r\n')],
  ['multi-byte', bytes('name,emoji\nJosé,😀\n€uro,"ü\nß"\n')],
  ['comments', bytes('#c1\r\n#c2\na,b\n#c3\r\n1,2\n#tail')],
  ['blanks', bytes('\r\n\na,b\r\n\r\n,,\r\n1,2\r\n\r\n')],
  ['doubled quotes', bytes('a,b\n"""",""""""\n"a""b",c\n')],
  ['lone CRs', bytes('a,b\r1,"x\ry"\r\r2,3')],
  ['malformed', bytes('a,b\n"ab"c,d\ne,"f"g\n')],
  ['long rows', bytes('a,b\n' + 'x'.repeat(3000) + ',"' + 'y""'.repeat(1000) + '"\n1,2\n')],
  ['invalid utf8 late', bytes('a,b\n' + '1,é\n'.repeat(1500), [0xe2, 0x82], ',x\n')],
  ['truncated at end', bytes('a,b\n1,', [0xf0, 0x9f])],
  ['binary late', bytes('a,b\n' + '1,2\n'.repeat(1500), [0])],
  ['binary early', bytes('a,b\n1', [0])],
  ['unterminated', bytes('a,b\n1,"x\ny\n')],
  ['too long', bytes('a,b\n1,2\n"' + 'z'.repeat(9000) + '"\n')],
  ['unclosed and too long', bytes('a,b\n1,2\n3,"' + 'z\r\n'.repeat(3000))],
  ['quoted and too long', bytes('a,b\n1,2\n3,"' + 'z\n'.repeat(5000) + '"\n4,5\n')],
  [
    'unquoted and too long',
    bytes('a,b\n1,2\n' + 'z'.repeat(9000) + ',"' + '\n'.repeat(10) + '"\n'),
  ],
  ['no rows', bytes('#c\na,b\r\n')],
  ['empty', bytes([0xef, 0xbb, 0xbf], '\r\n#x\r\n')],
]

describe('chunk boundaries', () => {
  const options = { maxRecordLength: 8000 }

  it.each(corpus)('gives the same result for %s however it is chunked', async (_name, data) => {
    const whole = await read([data], options)
    if ('records' in whole) {
      expect(whole.records.length).toBeGreaterThan(1)
      expect(whole.summary.bytes).toBe(data.length)
    }
    expect(await read(splitEvery(data, 1), options)).toEqual(whole)
    expect(await read(splitEvery(data, 2), options)).toEqual(whole)
    for (let seed = 1; seed <= 20; seed++) {
      expect(await read(splitRandomly(data, seed, 1 + seed * 3), options)).toEqual(whole)
    }
  })

  it('reads the corpus as expected', async () => {
    const outcome = async (name: string): Promise<Outcome> => {
      const entry = corpus.find(([n]) => n === name)
      if (!entry) throw new Error(name)
      return read([entry[1]], options)
    }
    expect(await outcome('lone CRs')).toMatchObject({
      records: [{ line: 1 }, { line: 2, cells: ['1', 'x\ry'] }, { line: 5, cells: ['2', '3'] }],
    })
    expect(await outcome('invalid utf8 late')).toMatchObject({
      error: { code: 'invalid_utf8', offset: 4 + 1500 * 5 },
    })
    expect(await outcome('truncated at end')).toMatchObject({ error: { offset: 6 } })
    expect(await outcome('binary late')).toMatchObject({ error: { offset: 4 + 1500 * 4 } })
    expect(await outcome('binary early')).toMatchObject({ error: { offset: 5 } })
    expect(await outcome('unterminated')).toMatchObject({ error: { line: 2 } })
    expect(await outcome('too long')).toMatchObject({ error: { line: 3 } })
    for (const name of ['too long', 'unclosed and too long', 'quoted and too long']) {
      expect(await outcome(name)).toMatchObject({
        error: { code: 'record_too_long', line: 3, message: expect.stringContaining('line 3') },
      })
    }
    expect(await outcome('quoted and too long')).toMatchObject({
      error: { message: expect.stringContaining('quoted value opened on line 3') },
    })
    expect(await outcome('unquoted and too long')).toMatchObject({
      error: { code: 'record_too_long', message: expect.not.stringContaining('quoted') },
    })
    expect(await outcome('no rows')).toMatchObject({ error: { code: 'no_rows', line: 2 } })
    expect(await outcome('empty')).toMatchObject({ error: { code: 'empty_file' } })
  })
})
