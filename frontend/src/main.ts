import { createApp, h } from 'vue'

createApp({
  render: () =>
    h('main', [
      h('h1', 'Carbon Sync'),
      h('p', 'The back office is on its way. The API is at /api/v1.'),
    ]),
}).mount('#app')
