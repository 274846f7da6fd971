import { quasar, transformAssetUrls } from '@quasar/vite-plugin'
import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'vite'

// The API the dev server proxies to: `pnpm dev` runs the server on 3000 beside it; point
// CARBON_SYNC_API elsewhere (e.g. http://localhost:3300) to develop against another instance.
const api = process.env['CARBON_SYNC_API'] ?? 'http://localhost:3000'

export default defineConfig({
  plugins: [vue({ template: { transformAssetUrls } }), quasar({ sassVariables: false })],
  server: {
    port: 5173,
    proxy: {
      '/api': api,
      '/healthz': api,
      '/readyz': api,
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // ECharts alone is ~400 kB minified even tree-shaken; it gets its own chunk (see router).
    chunkSizeWarningLimit: 1000,
  },
})
