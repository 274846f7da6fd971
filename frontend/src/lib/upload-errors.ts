import { ApiError } from '../api/http'

/** An upload refused by the server, in words: a headline and the reasons, one a line. */
export interface UploadErrorView {
  title: string
  reasons: string[]
}

interface Reason {
  message?: unknown
  field?: unknown
}

function messages(list: unknown): string[] {
  if (!Array.isArray(list)) return []
  return list
    .map((r: Reason) => {
      if (typeof r?.message !== 'string') return null
      return typeof r.field === 'string' && !r.message.includes(r.field)
        ? `${r.field}: ${r.message}`
        : r.message
    })
    .filter((m): m is string => m !== null)
}

/**
 * 413 (too large), 415 (not multipart), 422 (the file cannot be read: `details.reasons`, e.g.
 * invalid UTF-8 at a byte offset, missing columns) and 400 (`details.fields`) as people read them.
 */
export function uploadErrorView(error: unknown): UploadErrorView {
  if (!(error instanceof ApiError)) {
    return { title: error instanceof Error ? error.message : String(error), reasons: [] }
  }
  const details = (error.details ?? {}) as { reasons?: unknown; fields?: unknown }
  switch (error.status) {
    case 413:
      return { title: 'The file is too large.', reasons: [error.message] }
    case 415:
      return { title: 'The file was not sent as expected.', reasons: [error.message] }
    case 422: {
      const reasons = messages(details.reasons)
      return {
        title: 'The file cannot be read.',
        reasons: reasons.length > 0 ? reasons : [error.message],
      }
    }
    case 400: {
      const fields = messages(details.fields)
      return {
        title: 'Some settings are not valid.',
        reasons: fields.length ? fields : [error.message],
      }
    }
    case 403:
      return { title: 'Not allowed.', reasons: [error.message] }
    default:
      return { title: 'The upload failed.', reasons: [error.message] }
  }
}
