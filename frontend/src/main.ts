import '@quasar/extras/roboto-font/roboto-font.css'
import 'quasar/dist/quasar.css'
import './styles/app.css'

import { VueQueryPlugin } from '@tanstack/vue-query'
import { createPinia } from 'pinia'
import { Dark, Quasar } from 'quasar'
import { createApp } from 'vue'
import App from './App.vue'
import { createQueryClient } from './boot/query'
import { quasarOptions } from './boot/quasar'
import { installSession } from './boot/session'
import { createAppRouter } from './router'

const app = createApp(App)
app.use(Quasar, quasarOptions)
// Dark mode follows the system setting (and its changes while the page is open).
Dark.set('auto')

const pinia = createPinia()
app.use(pinia)
const queryClient = createQueryClient()
app.use(VueQueryPlugin, { queryClient })
const router = createAppRouter()
installSession(router, pinia, queryClient)
app.use(router)

void router.isReady().then(() => app.mount('#app'))
