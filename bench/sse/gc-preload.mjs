/**
 * Loaded into the API process by the SSE benchmark (NODE_OPTIONS="--expose-gc --import=..."),
 * so that memory can be read after a full garbage collection: SIGUSR2 runs one. The server's
 * code is unchanged; without this, the heap read at any moment holds an unknown amount of
 * garbage, and the resident size keeps what the process once used.
 */
process.on('SIGUSR2', () => {
  if (typeof globalThis.gc === 'function') globalThis.gc()
})
