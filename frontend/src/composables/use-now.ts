import { onScopeDispose, ref } from 'vue'

/** A clock for relative times ("3 minutes ago") that re-renders every `everyMs`. */
export function useNow(everyMs = 15_000) {
  const now = ref(Date.now())
  const timer = setInterval(() => {
    now.value = Date.now()
  }, everyMs)
  onScopeDispose(() => clearInterval(timer))
  return now
}
