import { QueryClient, VueQueryPlugin } from '@tanstack/vue-query'
import { mount, type ComponentMountingOptions } from '@vue/test-utils'
import { createPinia, setActivePinia, type Pinia } from 'pinia'
import { Quasar } from 'quasar'
import { defineComponent, type Component } from 'vue'
import { createMemoryHistory, createRouter } from 'vue-router'
import { quasarOptions } from '../boot/quasar'

/** Test helpers: mount a component with what main.ts installs (Quasar, Pinia, vue-query, router). */

const Blank = defineComponent({ render: () => null })

export function testRouter() {
  return createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/', name: 'home', component: Blank },
      { path: '/data/:year', name: 'data', component: Blank },
      { path: '/pipelines/:id', name: 'pipeline', component: Blank },
      { path: '/reports/:year', name: 'reports', component: Blank },
      { path: '/operations', name: 'operations', component: Blank },
      { path: '/sign-in', name: 'sign-in', component: Blank },
    ],
  })
}

export interface AppContext {
  pinia: Pinia
  queryClient: QueryClient
}

export function testContext(): AppContext {
  const pinia = createPinia()
  setActivePinia(pinia)
  const queryClient = new QueryClient({
    defaultOptions: { queries: { retry: false, refetchOnWindowFocus: false } },
  })
  return { pinia, queryClient }
}

export function mountApp<C extends Component>(
  component: C,
  options: ComponentMountingOptions<C> = {},
  context: AppContext = testContext(),
) {
  return mount(component, {
    ...options,
    global: {
      ...options.global,
      plugins: [
        [Quasar, quasarOptions],
        context.pinia,
        [VueQueryPlugin, { queryClient: context.queryClient }],
        testRouter(),
        ...(options.global?.plugins ?? []),
      ],
    },
  } as ComponentMountingOptions<C>)
}

/** Waits until `check` passes (real time, no fake timers), or fails with its last error. */
export async function eventually(check: () => void, timeoutMs = 3000): Promise<void> {
  const start = Date.now()
  for (;;) {
    try {
      check()
      return
    } catch (error) {
      if (Date.now() - start > timeoutMs) throw error
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
  }
}
