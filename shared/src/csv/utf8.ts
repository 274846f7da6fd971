import { binaryFile, invalidUtf8 } from './errors'

/** UTF-8 validation and decoding with exact byte offsets for errors. */
export class Utf8Bytes {
  /** Bytes consumed so far, i.e. the offset of the next chunk (the BOM counts). */
  offset = 0
  // fatal + stream: the native decoder validates (and strips a BOM) at full speed and keeps
  // sequences split across chunks; offsets are recomputed by hand only once it has thrown.
  private readonly decoder = new TextDecoder('utf-8', { fatal: true })
  private readonly tail = new Uint8Array(3)
  private tailLength = 0

  decode(chunk: Uint8Array): string {
    if (chunk.length === 0) return ''
    const nul = chunk.indexOf(0)
    if (nul !== -1) {
      // Report whichever problem comes first in the file.
      const bad = this.firstInvalid(chunk.subarray(0, nul + 1), false)
      throw bad === -1 ? binaryFile(this.offset + nul) : invalidUtf8(bad)
    }
    let text: string
    try {
      text = this.decoder.decode(chunk, { stream: true })
    } catch {
      const bad = this.firstInvalid(chunk, false)
      throw invalidUtf8(bad === -1 ? this.offset : bad)
    }
    this.rememberTail(chunk)
    this.offset += chunk.length
    return text
  }

  flush(): string {
    try {
      return this.decoder.decode()
    } catch {
      const bad = this.firstInvalid(new Uint8Array(0), true)
      throw invalidUtf8(bad === -1 ? this.offset : bad)
    }
  }

  /** Absolute offset of the first invalid byte in (bytes still pending in the decoder) + chunk. */
  private firstInvalid(chunk: Uint8Array, final: boolean): number {
    let start = this.tailLength
    for (let i = this.tailLength - 1; i >= 0; i--) {
      const b = this.tail[i] ?? 0
      if ((b & 0xc0) === 0x80) continue
      const length = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1
      if (this.tailLength - i < length) start = i
      break
    }
    const pending = this.tail.subarray(start, this.tailLength)
    const bytes = concatBytes([pending, chunk])
    const bad = firstInvalidUtf8(bytes, final)
    return bad === -1 ? -1 : this.offset - pending.length + bad
  }

  private rememberTail(chunk: Uint8Array): void {
    if (chunk.length >= 3) {
      this.tail.set(chunk.subarray(chunk.length - 3))
      this.tailLength = 3
      return
    }
    const joined = concatBytes([this.tail.subarray(0, this.tailLength), chunk]).subarray(-3)
    this.tail.set(joined)
    this.tailLength = joined.length
  }
}

/** Index of the first byte that does not start a valid UTF-8 sequence (Unicode table 3-7), or -1. */
function firstInvalidUtf8(b: Uint8Array, final: boolean): number {
  const n = b.length
  let i = 0
  while (i < n) {
    const c = b[i] ?? 0
    if (c < 0x80) {
      i++
      continue
    }
    // Besides the lead byte's own range, the first continuation byte is narrowed to reject
    // overlong forms, UTF-16 surrogates (ED A0..BF) and code points above U+10FFFF.
    let more: number
    let lo = 0x80
    let hi = 0xbf
    if (c >= 0xc2 && c <= 0xdf) more = 1
    else if (c >= 0xe0 && c <= 0xef) {
      more = 2
      if (c === 0xe0) lo = 0xa0
      if (c === 0xed) hi = 0x9f
    } else if (c >= 0xf0 && c <= 0xf4) {
      more = 3
      if (c === 0xf0) lo = 0x90
      if (c === 0xf4) hi = 0x8f
    } else return i
    for (let k = 1; k <= more; k++) {
      if (i + k >= n) return final ? i : -1
      const d = b[i + k] ?? 0
      if (d < (k === 1 ? lo : 0x80) || d > (k === 1 ? hi : 0xbf)) return i
    }
    i += more + 1
  }
  return -1
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0
  for (const part of parts) length += part.length
  const out = new Uint8Array(length)
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.length
  }
  return out
}
