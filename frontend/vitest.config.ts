import { quasar, transformAssetUrls } from '@quasar/vite-plugin'
import vue from '@vitejs/plugin-vue'
import { defineProject } from 'vitest/config'

export default defineProject({
  plugins: [vue({ template: { transformAssetUrls } }), quasar({ sassVariables: false })],
  test: {
    name: 'frontend',
    include: ['src/**/*.test.ts'],
    environment: 'happy-dom',
    // Quasar's package exports pick its server build under Node; inlining lets the plugin's
    // alias to the client build apply, so components render as they do in the browser.
    server: { deps: { inline: ['quasar'] } },
  },
})
