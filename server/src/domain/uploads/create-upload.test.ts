import { describe, expect, it } from 'vitest'
import { textChunks } from './create-upload.ts'

describe('textChunks', () => {
  it('cuts at character boundaries, never past the size, and loses nothing', () => {
    // 1, 2, 3 and 4-byte characters, so that a cut every few bytes lands inside some of them.
    const text = 'aé€😀'.repeat(200) + 'Zürich,Genève,北京\n'.repeat(50)
    const bytes = Buffer.from(text, 'utf8')
    for (const size of [4, 5, 7, 64, 1000]) {
      const chunks = [...textChunks(bytes, size)]
      expect(chunks.join('')).toBe(text)
      for (const c of chunks) {
        expect(Buffer.byteLength(c, 'utf8')).toBeLessThanOrEqual(size)
        expect(c).not.toContain('\ufffd')
      }
    }
  })

  it('gives nothing for an empty file', () => {
    expect([...textChunks(Buffer.alloc(0), 1024)]).toEqual([])
  })
})
