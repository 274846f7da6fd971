import type { Page } from '@playwright/test'
import { expect, test } from '../support/fixtures.ts'
import { users } from '../support/state.ts'

/**
 * Issue 4, point 6: usable at 200% zoom. A 1280 x 800 window at 200% lays pages out in a
 * 640 x 400 CSS viewport, which is what this test gives Chromium. On every page the content
 * fits the width (no line of the page runs off the right edge; wide tables scroll inside their
 * own box), and the main navigation stays reachable.
 */
test.use({ viewport: { width: 640, height: 400 } })

/** Widest the page's content runs, in CSS pixels, against the viewport's width. */
async function widths(page: Page): Promise<{ content: number; viewport: number }> {
  return page.evaluate(() => ({
    content: Math.max(document.documentElement.scrollWidth, document.body.scrollWidth),
    viewport: document.documentElement.clientWidth,
  }))
}

async function expectFitsWidth(page: Page, what: string): Promise<void> {
  const { content, viewport } = await widths(page)
  expect(
    content,
    `${what}: content ${content} px wide in a ${viewport} px viewport`,
  ).toBeLessThanOrEqual(viewport)
}

test('sign-in page at 200%', async ({ page }) => {
  await page.goto('/sign-in')
  await expect(
    page.getByRole('heading', { level: 1, name: 'Sign in to Carbon Sync' }),
  ).toBeVisible()
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeInViewport()
  await expectFitsWidth(page, 'sign-in')
})

test('signed-in pages at 200%', async ({ page, suite, signIn, apiAs }) => {
  const year = suite.dataYear
  await signIn(page, users.adminA)

  await page.goto(`/data/${year}`)
  await expect(
    page.getByRole('heading', { level: 1, name: `Data management ${year}` }),
  ).toBeVisible()
  await expect(page.getByRole('region', { name: 'Professional travel', exact: true })).toBeVisible()
  await expectFitsWidth(page, 'data management')
  const nav = page.getByRole('navigation', { name: 'Main' })
  await expect(nav.getByRole('link', { name: 'Reports' })).toBeVisible()

  const admin = await apiAs(users.adminA)
  const list = await admin.get<{ items: { id: number }[] }>('/api/v1/sync/pipelines?limit=1')
  const pipelineId = list.items[0]!.id
  await page.goto(`/pipelines/${pipelineId}`)
  await expect(
    page.getByRole('heading', { level: 1, name: `Pipeline ${pipelineId}` }),
  ).toBeVisible()
  await expectFitsWidth(page, 'pipeline detail')

  await page.goto('/operations')
  await expect(page.getByRole('heading', { level: 1, name: 'Pipeline operations' })).toBeVisible()
  await expect(page.getByTestId('pipeline-row').first()).toBeVisible()
  await expectFitsWidth(page, 'operations')

  await nav.getByRole('link', { name: 'Reports' }).click()
  await expect(page.getByRole('heading', { level: 1, name: `Reports ${year}` })).toBeVisible()
  await expect(page.getByRole('img', { name: /^Bar chart of CO2-eq per module/ })).toBeVisible()
  await expectFitsWidth(page, 'reports')
})
