import type { Me } from '@carbon-sync/shared'
import { http, isApiError } from './http'

/** The signed-in user, or null when there is no (valid) session. */
export async function fetchMe(): Promise<Me | null> {
  try {
    return await http.get<Me>('/auth/me', undefined, { quietUnauthorized: true })
  } catch (error) {
    if (isApiError(error, 401)) return null
    throw error
  }
}

export function login(email: string, password: string): Promise<Me> {
  return http.post<Me>('/auth/login', { email, password }, { quietUnauthorized: true })
}

export function logout(): Promise<void> {
  return http.post<void>('/auth/logout', {}, { quietUnauthorized: true })
}
