import type { Page } from '@playwright/test'
import { expectNoSeriousViolations } from '../support/axe.ts'
import { expect, test } from '../support/fixtures.ts'
import { users } from '../support/state.ts'
import { moduleBadge } from '../support/ui.ts'

/**
 * Issue 5, point 6: axe-core (every default rule: WCAG A and AA, best practices) on every page, signed out and signed in, and
 * on the upload dialog: no serious or critical violation (SPEC §8). Each page is audited once
 * its data has loaded (an empty page would prove little), in light and in dark mode: the SPA
 * follows the system's colour scheme, and both have their own colours. States that a page at
 * rest does not show are audited too: the sign-in error, and a hovered primary button.
 */

async function failSignIn(page: Page): Promise<void> {
  await page.goto('/sign-in?next=/operations')
  await page.getByLabel('Email address').fill(users.managerA)
  await page.getByLabel('Password').fill('not the password')
  // Enter, not a click: the pointer resting on the button would audit its hover state, which
  // has its own test below.
  await page.getByLabel('Password').press('Enter')
  await expect(page.getByRole('alert')).toHaveText(
    'The email address or the password is not right.',
  )
}

for (const colorScheme of ['light', 'dark'] as const) {
  test.describe(`${colorScheme} mode`, () => {
    test.use({ colorScheme })

    test('sign-in page, signed out', async ({ page }) => {
      await page.goto('/sign-in')
      await expect(
        page.getByRole('heading', { level: 1, name: 'Sign in to Carbon Sync' }),
      ).toBeVisible()
      // The app follows the system's colour scheme: otherwise this would audit one theme twice.
      await expect(page.locator('body')).toHaveClass(
        colorScheme === 'dark' ? /\bbody--dark\b/ : /\bbody--light\b/,
      )
      await expectNoSeriousViolations(page, `the sign-in page (${colorScheme})`)
    })

    test('sign-in page after a failed attempt', async ({ page }) => {
      await failSignIn(page)
      await expectNoSeriousViolations(page, `the sign-in page with its error (${colorScheme})`)
    })

    test('the sign-in error message has AA contrast', async ({ page }) => {
      await failSignIn(page)
      await expectNoSeriousViolations(page, `the sign-in error message (${colorScheme})`, {
        include: '.sign-in__error',
      })
    })

    test('a hovered primary button keeps AA contrast', async ({ page }) => {
      await page.goto('/sign-in')
      const button = page.getByRole('button', { name: 'Sign in' })
      await button.hover()
      await expectNoSeriousViolations(page, `a hovered primary button (${colorScheme})`, {
        include: 'button[type="submit"]',
      })
    })

    test('data management page', async ({ page, suite, signIn }) => {
      await signIn(page, users.managerA)
      await page.goto(`/data/${suite.dataYear}`)
      await expect(moduleBadge(page, 'Buildings')).toBeVisible()
      await expect(page.getByTestId('upload-card-energy_combustion')).toContainText('Loaded')
      await page.waitForLoadState('networkidle')
      await expectNoSeriousViolations(page, `the data management page (${colorScheme})`)
    })

    test('upload dialog, open, then with a preview', async ({ page, suite, signIn }) => {
      await signIn(page, users.managerA)
      await page.goto(`/data/${suite.dataYear}`)
      await page.getByRole('button', { name: 'Upload a file', exact: true }).click()
      const dialog = page.getByRole('dialog', { name: 'Upload a CSV file' })
      await expect(dialog.getByRole('heading', { name: 'Choose a file' })).toBeVisible()
      await expectNoSeriousViolations(page, `the upload dialog (${colorScheme})`)

      // With a preview that has a row error (a dry run: nothing is stored).
      await dialog.getByRole('combobox', { name: 'Data-entry type' }).click()
      await page.getByRole('option', { name: 'Process emissions · Process emissions' }).click()
      await dialog.getByLabel('CSV file').setInputFiles({
        name: 'process-emissions.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from(
          [
            'unit_institutional_id,category,subcategory,quantity',
            'LAB-BIOCHEM,CO2,dry_ice,40',
            'LAB-BIOCHEM,N2O,,-1',
          ].join('\n'),
        ),
      })
      await dialog.getByRole('button', { name: 'Preview', exact: true }).click()
      await expect(dialog.getByTestId('row-error')).toHaveCount(1)
      await expectNoSeriousViolations(page, `the upload dialog with a preview (${colorScheme})`)
    })

    test('pipeline detail page', async ({ page, suite, apiAs, signIn }) => {
      // A pipeline with a bit of everything: jobs, a warning, a row error, event histories.
      const manager = await apiAs(users.managerA)
      const upload = await manager.upload({
        moduleTypeId: 8,
        dataEntryTypeId: 50,
        year: suite.dataYear,
        mode: 'append',
        fileName: 'process-emissions-detail.csv',
        content: [
          'unit_institutional_id,category,subcategory,quantity,note',
          'LAB-BIOCHEM,CO2,dry_ice,40,Dry ice',
          'LAB-BIOCHEM,N2O,,-1,Negative quantity',
        ].join('\n'),
      })
      await manager.waitForPipeline(upload.pipelineId)

      await signIn(page, users.adminA)
      await page.goto(`/pipelines/${upload.pipelineId}`)
      await expect(
        page.getByRole('heading', { level: 1, name: `Pipeline ${upload.pipelineId}` }),
      ).toBeVisible()
      await expect(page.getByTestId('row-error')).toHaveCount(1)
      // Open one event history too.
      await page.getByRole('button', { name: `Event history of job ${upload.jobId}` }).click()
      await expect(
        page.getByRole('region', { name: `Event history of job ${upload.jobId}` }),
      ).toBeVisible()
      await page.waitForLoadState('networkidle')
      await expectNoSeriousViolations(page, `the pipeline detail page (${colorScheme})`)
    })

    test('operations page', async ({ page, signIn }) => {
      await signIn(page, users.adminA)
      await page.goto('/operations')
      await expect(
        page.getByRole('heading', { level: 1, name: 'Pipeline operations' }),
      ).toBeVisible()
      await expect(page.getByTestId('pipeline-row').first()).toBeVisible()
      await expect(page.getByRole('region', { name: 'Stale statistics' })).not.toContainText(
        'Checking',
      )
      await expectNoSeriousViolations(page, `the operations page (${colorScheme})`)
    })

    test('reports page', async ({ page, suite, signIn }) => {
      await signIn(page, users.viewerA)
      await page.goto(`/reports/${suite.dataYear}`)
      await expect(
        page.getByRole('heading', { level: 1, name: `Reports ${suite.dataYear}` }),
      ).toBeVisible()
      await expect(page.getByRole('img', { name: /^Bar chart of CO2-eq per module/ })).toBeVisible()
      await expect(page.getByRole('region', { name: 'CO2-eq per unit and module' })).toBeVisible()
      await expectNoSeriousViolations(page, `the reports page (${colorScheme})`)
    })

    test('access denied and not found pages', async ({ page, signIn }) => {
      await signIn(page, users.viewerA)
      await page.goto('/operations')
      await expect(page.getByRole('heading', { level: 1, name: 'Access denied' })).toBeVisible()
      await expectNoSeriousViolations(page, `the access denied page (${colorScheme})`)
      await page.goto('/no-such-page')
      await expect(page.getByRole('heading', { level: 1, name: 'Page not found' })).toBeVisible()
      await expectNoSeriousViolations(page, `the not found page (${colorScheme})`)
    })
  })
}
