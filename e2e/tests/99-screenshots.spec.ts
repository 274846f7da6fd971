import fs from 'node:fs'
import path from 'node:path'
import type { Page } from '@playwright/test'
import { expect, test } from '../support/fixtures.ts'
import { repoDir, users } from '../support/state.ts'
import { moduleBadge } from '../support/ui.ts'

/**
 * Issue 5, point 7: a screenshot of each page for the README (docs/screenshots/, 1280x800).
 * Runs last (file name). A screenshot is written only when it is missing or when
 * E2E_SCREENSHOTS=1, so that an ordinary run (CI) never dirties the tree: relative times and
 * ids differ from run to run.
 */

const dir = path.join(repoDir, 'docs', 'screenshots')
const rewrite = process.env['E2E_SCREENSHOTS'] === '1'

function wanted(name: string): boolean {
  return rewrite || !fs.existsSync(path.join(dir, name))
}

async function save(page: Page, name: string): Promise<void> {
  await page.waitForLoadState('networkidle')
  // Fonts in, no caret, no transition half-way: the picture of the page at rest.
  await page.evaluate(() => document.fonts.ready)
  await page.mouse.move(0, 0)
  fs.mkdirSync(dir, { recursive: true })
  await page.screenshot({
    path: path.join(dir, name),
    animations: 'disabled',
    caret: 'hide',
    fullPage: false,
  })
}

test.describe('screenshots for the README', () => {
  test.use({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' })

  test('sign-in.png', async ({ page }) => {
    test.skip(!wanted('sign-in.png'), 'exists; E2E_SCREENSHOTS=1 rewrites it')
    await page.goto('/sign-in')
    await expect(
      page.getByRole('heading', { level: 1, name: 'Sign in to Carbon Sync' }),
    ).toBeVisible()
    await save(page, 'sign-in.png')
  })

  test('data-management.png', async ({ page, suite, signIn }) => {
    test.skip(!wanted('data-management.png'), 'exists; E2E_SCREENSHOTS=1 rewrites it')
    await signIn(page, users.managerA)
    await page.goto(`/data/${suite.dataYear}`)
    await expect(moduleBadge(page, 'Headcount')).toBeVisible()
    await expect(page.getByTestId('upload-card-member')).toContainText('Loaded')
    await save(page, 'data-management.png')
  })

  test('upload-dialog.png', async ({ page, suite, signIn }) => {
    test.skip(!wanted('upload-dialog.png'), 'exists; E2E_SCREENSHOTS=1 rewrites it')
    await signIn(page, users.managerA)
    await page.goto(`/data/${suite.dataYear}`)
    await page
      .getByTestId('upload-card-energy_combustion')
      .getByRole('button', { name: 'Upload a file of Energy combustion' })
      .click()
    const dialog = page.getByRole('dialog', { name: 'Upload a CSV file' })
    await dialog.getByLabel('CSV file').setInputFiles({
      name: 'energy-bills-2025.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(
        [
          'unit_institutional_id,name,quantity,unit,note',
          'DEPT-ADMIN,natural_gas,260000,kWh,Main building boiler Q1',
          'DEPT-ADMIN,natural_gas,120000,kWh,Main building boiler Q2',
          'LAB-BIOCHEM,natural_gas,"320,000",kWh,Chemistry wing boiler',
          'LAB-MATERIALS,heating_oil,95000,,Materials hall backup boiler',
          'LAB-ENERGY,pellets,16000,kg,Energy lab test building',
        ].join('\n'),
      ),
    })
    await dialog.getByRole('button', { name: 'Preview', exact: true }).click()
    await expect(dialog.getByTestId('row-error')).toHaveCount(1)
    await save(page, 'upload-dialog.png')
  })

  test('pipeline-detail.png', async ({ page, suite, apiAs, signIn }) => {
    test.skip(!wanted('pipeline-detail.png'), 'exists; E2E_SCREENSHOTS=1 rewrites it')
    const manager = await apiAs(users.managerA)
    const upload = await manager.upload({
      moduleTypeId: 8,
      dataEntryTypeId: 50,
      year: suite.dataYear,
      mode: 'append',
      fileName: 'process-emissions-q4.csv',
      content: [
        'unit_institutional_id,category,subcategory,quantity,note',
        'LAB-BIOCHEM,CO2,dry_ice,40,Dry ice for sample shipping',
        'LAB-BIOCHEM,Refrigerant,r134a,0.6,Chiller top-up',
        'LAB-CLIMATE,N2O,,-1,Typo in the quantity',
      ].join('\n'),
    })
    await manager.waitForPipeline(upload.pipelineId)
    await signIn(page, users.adminA)
    await page.goto(`/pipelines/${upload.pipelineId}`)
    await expect(page.getByTestId('row-error')).toHaveCount(1)
    await save(page, 'pipeline-detail.png')
  })

  test('operations.png', async ({ page, signIn }) => {
    test.skip(!wanted('operations.png'), 'exists; E2E_SCREENSHOTS=1 rewrites it')
    await signIn(page, users.adminA)
    await page.goto('/operations')
    await expect(page.getByTestId('pipeline-row').first()).toBeVisible()
    await expect(page.getByRole('region', { name: 'Stale statistics' })).not.toContainText(
      'Checking',
    )
    await save(page, 'operations.png')
  })

  test('reports.png', async ({ page, suite, signIn }) => {
    test.skip(!wanted('reports.png'), 'exists; E2E_SCREENSHOTS=1 rewrites it')
    await signIn(page, users.viewerA)
    await page.goto(`/reports/${suite.dataYear}`)
    await expect(page.getByRole('img', { name: /^Bar chart of CO2-eq per module/ })).toBeVisible()
    await save(page, 'reports.png')
  })
})
