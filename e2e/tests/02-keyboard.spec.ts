import type { Locator, Page } from '@playwright/test'
import { isTerminal } from '../support/api.ts'
import { planeFile, processEmissionsFile } from '../support/csv.ts'
import { expect, test } from '../support/fixtures.ts'
import { users } from '../support/state.ts'
import { isFocused, moduleBadge, tabUntilFocused, tooltipOf } from '../support/ui.ts'

/**
 * Issue 5, point 3: a keyboard-only user (SPEC §1, §8; WAI-ARIA tooltip pattern, WCAG 2.1
 * SC 1.4.13). From the top of the data management page, Tab alone reaches a pipeline badge;
 * its tooltip opens on focus, says what happened, closes on Escape with focus left on the
 * badge. No mouse, no element.focus(): only key presses.
 *
 * The user is a viewer: reading is all a keyboard user needs here.
 */

/** More than the page's tab stops before the last module's badge (about 50 for a viewer). */
const MAX_TABS = 200

async function openDataPageAtTop(page: Page, year: number): Promise<void> {
  await page.goto(`/data/${year}`)
  await expect(
    page.getByRole('heading', { level: 1, name: `Data management ${year}` }),
  ).toBeVisible()
  // A page load leaves focus on the body: the walk starts from the top of the page.
  expect(await page.evaluate(() => document.activeElement === document.body)).toBe(true)
}

/** The keyboard focus ring is there (SPEC §8 "visible focus ring"). */
async function expectFocusRing(badge: Locator): Promise<void> {
  const outline = await badge.evaluate((el) => {
    const style = getComputedStyle(el)
    return { style: style.outlineStyle, width: parseFloat(style.outlineWidth) }
  })
  expect(outline.style).not.toBe('none')
  expect(outline.width).toBeGreaterThanOrEqual(2)
}

test('Tab reaches the "Last recalc failed" badge; its tooltip opens on focus and closes on Escape', async ({
  page,
  suite,
  apiAs,
  signIn,
}) => {
  const year = suite.dataYear
  // Arrange: an upload whose every row is invalid (a unit the institution does not have):
  // the ingestion job ends in ERROR, the pipeline FAILED, the module's last run failed.
  const manager = await apiAs(users.managerA)
  const upload = await manager.upload({
    moduleTypeId: 8,
    dataEntryTypeId: 50,
    year,
    ...processEmissionsFile('NO-SUCH-UNIT', 'process-emissions-wrong-unit.csv'),
  })
  const failed = await manager.waitForPipeline(upload.pipelineId)
  expect(failed.status).toBe('FAILED')
  const failedJob = failed.jobs.find((j) => j.id === upload.jobId)!
  expect(failedJob.result).toBe('ERROR')
  expect(failedJob.statusMessage).toBeTruthy()

  await signIn(page, users.viewerA)
  await openDataPageAtTop(page, year)
  const badge = moduleBadge(page, 'Process emissions')
  await expect(badge).toHaveText('Last recalc failed')
  const tooltip = await tooltipOf(badge)
  await expect(tooltip).toBeHidden()

  const presses = await tabUntilFocused(page, badge, MAX_TABS)
  console.log(`keyboard: "Last recalc failed" reached after ${presses} presses of Tab`)
  await expectFocusRing(badge)

  // Open on focus, with the failed job's type, result and message.
  await expect(tooltip).toBeVisible()
  await expect(tooltip).toHaveAttribute('role', 'tooltip')
  await expect(tooltip).toContainText(`Pipeline ${upload.pipelineId}`)
  await expect(tooltip).toContainText('CSV ingestion · FINISHED · ERROR')
  await expect(tooltip).toContainText(failedJob.statusMessage!)
  // It is the badge's description, so a screen reader says it with the badge.
  await expect(badge).toHaveAccessibleDescription(/CSV ingestion · FINISHED · ERROR/)

  // Escape closes it; focus stays on the badge.
  await page.keyboard.press('Escape')
  await expect(tooltip).toBeHidden()
  expect(await isFocused(badge)).toBe(true)

  // Blur closes it too, and focusing the badge again opens it again.
  await page.keyboard.press('Tab')
  expect(await isFocused(badge)).toBe(false)
  await expect(tooltip).toBeHidden()
  await page.keyboard.press('Shift+Tab')
  expect(await isFocused(badge)).toBe(true)
  await expect(tooltip).toBeVisible()
  await page.keyboard.press('Escape')
  await expect(tooltip).toBeHidden()
  expect(await isFocused(badge)).toBe(true)
})

test('Tab reaches the active-pipeline badge while an upload runs', async ({
  page,
  suite,
  holdWrites,
  apiAs,
  signIn,
}) => {
  const year = suite.dataYear
  // Arrange: a replace of the plane trips whose pipeline cannot end before the test lets it.
  // The aggregation waits for the statistics table; the pipeline stays at its step 3.
  const releaseStatistics = await holdWrites('module_statistics')
  const manager = await apiAs(users.managerA)
  const upload = await manager.upload({
    moduleTypeId: 2,
    dataEntryTypeId: 20,
    year,
    ...planeFile(5_000, 'plane-trips-keyboard.csv'),
  })
  try {
    await manager.waitForPipeline(upload.pipelineId, {
      done: (p) => p.status === 'RUNNING' || isTerminal(p.status),
      timeoutMs: 20_000,
    })

    await signIn(page, users.viewerA)
    await openDataPageAtTop(page, year)
    const badge = moduleBadge(page, 'Professional travel')
    const active = /^(Recalculating…|Step [123]\/3 · .+…)$/
    await expect(badge).toHaveText(active)
    const tooltip = await tooltipOf(badge)

    const presses = await tabUntilFocused(page, badge, MAX_TABS)
    console.log(`keyboard: the active badge reached after ${presses} presses of Tab`)
    await expectFocusRing(badge)
    // Still the active pipeline's badge: the upload is still running.
    await expect(badge).toHaveText(active)

    await expect(tooltip).toBeVisible()
    await expect(tooltip).toContainText(`Pipeline ${upload.pipelineId}`)
    await expect(tooltip).toContainText('Upload of Plane trips')
    await expect(tooltip).toContainText(/CSV ingestion · (RUNNING|FINISHED · SUCCESS)/)
    await expect(badge).toHaveAccessibleDescription(new RegExp(`Pipeline ${upload.pipelineId}`))

    await page.keyboard.press('Escape')
    await expect(tooltip).toBeHidden()
    expect(await isFocused(badge)).toBe(true)

    // The pipeline ends while the badge has focus: the badge says so, and keeps focus.
    await releaseStatistics()
    await expect(badge).toHaveText('Last run succeeded')
    expect(await isFocused(badge)).toBe(true)
  } finally {
    await releaseStatistics()
    // Let it end, so that the next test starts from settled data.
    await manager.waitForPipeline(upload.pipelineId, { timeoutMs: 120_000 })
  }
})
