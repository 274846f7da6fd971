/**
 * The one way the SPA talks to the API: JSON in and out, the cookie session
 * (`credentials: 'same-origin'`), the CSRF header on every mutation, and errors thrown as
 * ApiError with the server's `{ error: { code, message, details } }`. A 401 tells the
 * session (through the handler set at boot) so that it can send the user to sign-in.
 */

/** Header that the server's CSRF guard requires on cookie-authenticated mutations. */
export const csrfHeaders = { 'X-Requested-With': 'carbon-sync' } as const

export class ApiError extends Error {
  /** HTTP status, or 0 when the server could not be reached. */
  readonly status: number
  /** The server's error code (`not_found`, `forbidden`, …) or `network_error`. */
  readonly code: string
  /** The server's structured reasons (fields, rows, limits), when there are any. */
  readonly details: unknown

  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.details = details
  }
}

export function isApiError(error: unknown, status?: number): error is ApiError {
  return error instanceof ApiError && (status === undefined || error.status === status)
}

interface HttpConfig {
  /** Origin the API is on; empty for the page's own origin (the normal case). */
  baseUrl: string
  onUnauthorized: ((error: ApiError) => void) | undefined
}

const config: HttpConfig = { baseUrl: '', onUnauthorized: undefined }

/** Set at boot (the session's 401 handler) and by tests (a test server's origin). */
export function configureHttp(options: Partial<HttpConfig>): void {
  Object.assign(config, options)
}

export type QueryValue = string | number | boolean | null | undefined

/** Absolute-path URL of an API route, e.g. `apiUrl('/sync/jobs/3/errors.csv')`. */
export function apiUrl(path: string, query?: Record<string, QueryValue>): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value))
  }
  const search = params.toString()
  return `${config.baseUrl}/api/v1${path}${search ? `?${search}` : ''}`
}

export interface RequestOptions {
  method?: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  query?: Record<string, QueryValue>
  /** A JSON body, or FormData for multipart uploads. */
  body?: unknown
  signal?: AbortSignal
  /**
   * Do not report a 401 to the session: for the calls that find out whether there is one
   * (`/auth/me` at start, sign-in itself).
   */
  quietUnauthorized?: boolean
}

async function errorOf(response: Response): Promise<ApiError> {
  let body: unknown
  try {
    body = await response.json()
  } catch {
    body = undefined
  }
  const error = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } })
    ?.error
  if (error && typeof error.code === 'string' && typeof error.message === 'string') {
    return new ApiError(response.status, error.code, error.message, error.details)
  }
  return new ApiError(
    response.status,
    'http_error',
    `The server answered ${response.status} ${response.statusText}`.trim(),
  )
}

/** Sends a request and returns the raw Response once it is known to be a success. */
export async function send(path: string, options: RequestOptions = {}): Promise<Response> {
  const method = options.method ?? (options.body === undefined ? 'GET' : 'POST')
  const headers: Record<string, string> = { Accept: 'application/json' }
  let body: BodyInit | undefined
  if (method !== 'GET' && method !== 'HEAD') Object.assign(headers, csrfHeaders)
  if (options.body instanceof FormData) {
    // The browser sets the multipart boundary itself.
    body = options.body
  } else if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json'
    body = JSON.stringify(options.body)
  }
  let response: Response
  try {
    response = await fetch(apiUrl(path, options.query), {
      method,
      headers,
      body,
      credentials: 'same-origin',
      signal: options.signal,
    })
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === 'AbortError') throw cause
    throw new ApiError(0, 'network_error', 'The server cannot be reached. Check your connection.')
  }
  if (!response.ok) {
    const error = await errorOf(response)
    if (error.status === 401 && !options.quietUnauthorized) config.onUnauthorized?.(error)
    throw error
  }
  return response
}

/** Sends a request and returns its JSON body (undefined for 204). */
export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const response = await send(path, options)
  if (response.status === 204 || options.method === 'HEAD') return undefined as T
  const type = response.headers.get('Content-Type') ?? ''
  if (!type.includes('json')) return (await response.text()) as T
  return (await response.json()) as T
}

export const http = {
  get: <T>(path: string, query?: Record<string, QueryValue>, options: RequestOptions = {}) =>
    request<T>(path, { ...options, method: 'GET', query }),
  post: <T>(path: string, body: unknown = {}, options: RequestOptions = {}) =>
    request<T>(path, { ...options, method: 'POST', body }),
}
