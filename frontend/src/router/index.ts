import { createRouter, createWebHistory, type RouteRecordRaw, type Router } from 'vue-router'
import { fetchDefaultYear } from '../api/catalog'
import AppLayout from '../components/layout/AppLayout.vue'
import DataManagementPage from '../pages/DataManagementPage.vue'
import ForbiddenPage from '../pages/ForbiddenPage.vue'
import NotFoundPage from '../pages/NotFoundPage.vue'
import PipelineDetailPage from '../pages/PipelineDetailPage.vue'
import SignInPage from '../pages/SignInPage.vue'
import type { Permission } from '../stores/session'
import { installGuards } from './guards'

declare module 'vue-router' {
  interface RouteMeta {
    /** Reachable without signing in. */
    public?: boolean
    /** Permission the page needs (from `/auth/me`). */
    permission?: Permission
    /** Document title. */
    title?: string
  }
}

/** `/` and `/reports` go to the latest year with statistics (the API's default year). */
async function latestYear(): Promise<number> {
  return fetchDefaultYear()
}

export const routes: RouteRecordRaw[] = [
  {
    path: '/sign-in',
    name: 'sign-in',
    component: SignInPage,
    meta: { public: true, title: 'Sign in' },
  },
  {
    path: '/',
    component: AppLayout,
    children: [
      {
        path: '',
        name: 'home',
        component: NotFoundPage,
        beforeEnter: async () => ({ name: 'data', params: { year: await latestYear() } }),
      },
      {
        path: 'data/:year(\\d{4})',
        name: 'data',
        component: DataManagementPage,
        props: (route) => ({ year: Number(route.params['year']) }),
        meta: { permission: 'data_management.view', title: 'Data management' },
      },
      {
        path: 'pipelines/:id(\\d+)',
        name: 'pipeline',
        component: PipelineDetailPage,
        props: (route) => ({ id: Number(route.params['id']) }),
        meta: { permission: 'data_management.view', title: 'Pipeline' },
      },
      {
        path: 'operations',
        name: 'operations',
        // Admins only: loaded when first needed.
        component: () => import('../pages/OperationsPage.vue'),
        meta: { permission: 'data_management.admin', title: 'Pipeline operations' },
      },
      {
        path: 'reports',
        name: 'reports-latest',
        component: NotFoundPage,
        beforeEnter: async () => ({ name: 'reports', params: { year: await latestYear() } }),
      },
      {
        path: 'reports/:year(\\d{4})',
        name: 'reports',
        // ECharts is the largest dependency: its chunk loads with the reports page only.
        component: () => import('../pages/ReportsPage.vue'),
        props: (route) => ({ year: Number(route.params['year']) }),
        meta: { permission: 'data_management.view', title: 'Reports' },
      },
      {
        path: 'forbidden',
        name: 'forbidden',
        component: ForbiddenPage,
        meta: { title: 'Access denied' },
      },
      {
        path: ':pathMatch(.*)*',
        name: 'not-found',
        component: NotFoundPage,
        meta: { title: 'Page not found' },
      },
    ],
  },
]

export function createAppRouter(): Router {
  const router = createRouter({ history: createWebHistory(), routes })
  installGuards(router)
  return router
}
