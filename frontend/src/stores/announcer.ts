import { defineStore } from 'pinia'
import { ref } from 'vue'

/**
 * What the layout's single `aria-live="polite"` region says. Screen readers announce a change
 * of the region's text, so the same message twice in a row is cleared first and set again on
 * the next frame, or the second one would go unheard.
 */
export const useAnnouncer = defineStore('announcer', () => {
  const message = ref('')
  let pending: ReturnType<typeof setTimeout> | undefined

  function announce(text: string): void {
    if (pending !== undefined) clearTimeout(pending)
    message.value = ''
    pending = setTimeout(() => {
      pending = undefined
      message.value = text
    }, 50)
  }

  return { message, announce }
})
