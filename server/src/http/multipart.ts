import busboy from 'busboy'
import type { Request } from 'express'
import { BadRequest, PayloadTooLarge, UnsupportedMediaType } from '../domain/errors.ts'

export interface MultipartUpload {
  fields: Record<string, string>
  file: { name: string; chunks: Buffer[]; size: number } | undefined
}

/**
 * Reads a multipart form with one file, keeping the file in memory up to `maxBytes`; beyond
 * that the request is drained and refused with 413, before anything is stored.
 */
export function readMultipart(req: Request, maxBytes: number): Promise<MultipartUpload> {
  const type = req.headers['content-type'] ?? ''
  if (!type.toLowerCase().startsWith('multipart/form-data')) {
    return Promise.reject(
      new UnsupportedMediaType('Send the file as multipart/form-data, in a part named "file"'),
    )
  }
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy
    try {
      parser = busboy({
        headers: req.headers,
        limits: { fileSize: maxBytes, files: 1, fields: 20, fieldSize: 1024 },
      })
    } catch {
      reject(new BadRequest('Malformed multipart body'))
      return
    }
    const fields: Record<string, string> = {}
    let file: MultipartUpload['file']
    let failure: Error | undefined
    parser.on('field', (name, value) => {
      fields[name] = value
    })
    parser.on('file', (name, stream, info) => {
      if (name !== 'file' || file) {
        stream.resume()
        return
      }
      const chunks: Buffer[] = []
      let size = 0
      file = { name: info.filename ?? 'upload.csv', chunks, size: 0 }
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length
        chunks.push(chunk)
      })
      stream.on('limit', () => {
        failure = new PayloadTooLarge(
          `The file is larger than the limit of ${formatBytes(maxBytes)}`,
          { limitBytes: maxBytes },
        )
        chunks.length = 0
      })
      stream.on('end', () => {
        if (file) file.size = size
      })
    })
    parser.on('filesLimit', () => {
      failure ??= new BadRequest('Send one file per upload')
    })
    parser.on('error', () => reject(new BadRequest('Malformed multipart body')))
    parser.on('close', () => (failure ? reject(failure) : resolve({ fields, file })))
    req.pipe(parser)
  })
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024
    ? `${Math.round((n / 1024 / 1024) * 10) / 10} MiB`
    : `${Math.round(n / 1024)} KiB`
}
