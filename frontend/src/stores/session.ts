import type { Me } from '@carbon-sync/shared'
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { fetchMe, login, logout } from '../api/auth'

export type Permission = 'data_management.view' | 'data_management.edit' | 'data_management.admin'

/** Who is signed in, and what their role lets them do (from `GET /api/v1/auth/me`). */
export const useSession = defineStore('session', () => {
  const me = ref<Me | null>(null)
  const loaded = ref(false)
  let loading: Promise<Me | null> | undefined

  /** Asks the server once; later calls reuse the answer until sign-in, sign-out or expiry. */
  function ensureLoaded(): Promise<Me | null> {
    if (loaded.value) return Promise.resolve(me.value)
    loading ??= fetchMe()
      .then((user) => {
        me.value = user
        loaded.value = true
        return user
      })
      .finally(() => {
        loading = undefined
      })
    return loading
  }

  async function signIn(email: string, password: string): Promise<Me> {
    const user = await login(email, password)
    me.value = user
    loaded.value = true
    return user
  }

  async function signOut(): Promise<void> {
    try {
      await logout()
    } finally {
      forget()
    }
  }

  /** The session is gone (signed out, or the server answered 401). */
  function forget(): void {
    me.value = null
    loaded.value = true
  }

  function can(permission: Permission): boolean {
    return me.value?.permissions.includes(permission) ?? false
  }

  const canEdit = computed(() => can('data_management.edit'))
  const isAdmin = computed(() => can('data_management.admin'))

  return { me, loaded, ensureLoaded, signIn, signOut, forget, can, canEdit, isAdmin }
})
