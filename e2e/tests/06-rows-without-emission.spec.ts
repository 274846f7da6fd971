import { expectNoSeriousViolations } from '../support/axe.ts'
import { parseCsv, planeFileWithUnknownAirport } from '../support/csv.ts'
import { expect, test } from '../support/fixtures.ts'
import { users } from '../support/state.ts'
import { downloadText, moduleBadge, tooltipOf } from '../support/ui.ts'

/**
 * Row warnings (SPEC §4): a plane trip to an airport the reference data does not know is kept,
 * with no emission. The data manager sees it in the preview, apart from the errors, uploads the
 * file anyway, sees the pipeline end PARTIAL ("Last run had warnings"), and downloads that row
 * from warnings.csv, in the template's columns with warning_code unknown_location; the card
 * and the pipeline page say it too.
 *
 * Runs after the specs that upload plane trips (02, 03): its replace leaves four trips.
 */

const MODULE = 'Professional travel'
/** The plane template's columns (SPEC §3), the order warnings.csv writes them in. */
const templateColumns = [
  'unit_institutional_id',
  'origin_iata',
  'destination_iata',
  'user_institutional_id',
  'cabin_class',
  'departure_date',
  'number_of_trips',
  'note',
  'kg_co2eq',
]

test('a row with an unknown airport: warned in the preview, stored without emission, downloadable', async ({
  page,
  suite,
  apiAs,
  signIn,
}) => {
  const year = suite.dataYear
  const file = planeFileWithUnknownAirport('plane-trips-unknown-airport.csv')
  await signIn(page, users.managerA)
  await page.goto(`/data/${year}`)
  const card = page.getByTestId('upload-card-plane')
  await expect(card.getByRole('heading', { name: 'Plane trips' })).toBeVisible()

  await card.getByRole('button', { name: 'Upload a file of Plane trips' }).click()
  const dialog = page.getByRole('dialog', { name: 'Upload a CSV file' })
  await dialog.getByLabel('CSV file').setInputFiles({
    name: file.fileName,
    mimeType: 'text/csv',
    buffer: Buffer.from(file.content),
  })
  await dialog.getByRole('button', { name: 'Preview', exact: true }).click()

  // The preview: every row valid and stored, one of them without emission, said apart.
  const preview = dialog.getByTestId('preview')
  await expect(preview).toContainText(`${file.rowsTotal} rows would be stored`)
  await expect(preview).toContainText('1 of them without emission (stored, counted as 0 kg)')
  await expect(preview).toContainText('0 rows with errors would be skipped')
  await expect(preview.getByTestId('row-error')).toHaveCount(0)
  const warned = preview.getByRole('region', { name: 'Rows without emission', exact: true })
  await expect(warned).toContainText('would count 0 kg CO2-eq')
  const warningRows = warned
    .getByRole('region', { name: 'Rows without emission found by the preview' })
    .getByTestId('row-warning')
  await expect(warningRows).toHaveCount(1)
  const cells = warningRows.first().getByRole('cell')
  await expect(cells.nth(0)).toHaveText(String(file.unknown.line))
  await expect(cells.nth(1)).toHaveText('unknown_location')
  await expect(cells.nth(2)).toContainText(file.unknown.code)
  const previewMessage = (await cells.nth(2).textContent())!.trim()
  // A warning, not an error: no alert, and the upload may go on.
  await expect(dialog.getByRole('alert')).toHaveCount(0)
  await expectNoSeriousViolations(page, 'the upload dialog with rows without emission')

  const confirm = dialog.getByRole('button', { name: 'Confirm upload' })
  await expect(confirm).toBeEnabled()
  await confirm.click()

  // The result: PARTIAL with warnings only, the row without emission, its download.
  const result = dialog.getByTestId('result')
  await expect(result).toBeVisible({ timeout: 60_000 })
  await expect(result).toContainText('Partial (warnings)')
  await expect(result).toContainText(`${file.rowsTotal} rows imported`)
  await expect(result).toContainText('0 rows failed')
  await expect(result).toContainText('1 row without emission')
  await expect(page.getByTestId('live-region')).toContainText('1 row without emission')

  const download = page.waitForEvent('download')
  await result.getByRole('link', { name: 'Download the rows without emission' }).click()
  const csvDownload = await download
  expect(csvDownload.suggestedFilename()).toMatch(/^job-\d+-warnings\.csv$/)
  const text = await downloadText(csvDownload)
  expect(text.startsWith('\uFEFF'), 'a BOM, for spreadsheets').toBe(true)
  expect(text).toContain('\r\n')
  const csv = parseCsv(text).filter((r) => r.length > 1 || r[0] !== '')
  expect(csv[0]).toEqual([...templateColumns, 'warning_column', 'warning_code', 'warning_message'])
  expect(csv).toHaveLength(2)
  // The row as it was in the file (no note, no kg_co2eq override), then why.
  expect(csv[1]).toEqual([...file.unknown.cells, '', '', '', 'unknown_location', previewMessage])

  // The same over the API: the recalculation computed it, the pipeline is PARTIAL, no error.
  const manager = await apiAs(users.managerA)
  const jobId = Number(/^job-(\d+)-/.exec(csvDownload.suggestedFilename())![1])
  const job = await manager.get<{ pipelineId: number; jobType: string; result: string }>(
    `/api/v1/sync/jobs/${jobId}`,
  )
  expect(job.jobType).toBe('emission_recalc')
  expect(job.result).toBe('WARNING')
  const pipeline = await manager.pipeline(job.pipelineId)
  expect(pipeline.status).toBe('PARTIAL')
  expect(pipeline.progress.hasError).toBe(false)

  // The module's badge: warnings, not a failure; its tooltip says why.
  await dialog.getByRole('button', { name: 'Done' }).click()
  await expect(dialog).toBeHidden()
  const badge = moduleBadge(page, MODULE)
  await expect(badge).toHaveText('Last run had warnings')
  await badge.hover()
  const tooltip = await tooltipOf(badge)
  await expect(tooltip).toBeVisible()
  await expect(tooltip).toContainText(
    `Emission recalculation · FINISHED · WARNING · 1 entry without emission (${previewMessage})`,
  )
  await page.mouse.move(0, 0)

  // The card: what is stored has a row without emission, downloadable from there too.
  await expect(card.getByTestId('rows-without-emission')).toHaveText('1 row without emission')
  await expect(
    card.getByRole('link', { name: 'Download the rows without emission of Plane trips as CSV' }),
  ).toHaveAttribute('href', `/api/v1/sync/jobs/${jobId}/warnings.csv`)

  // The pipeline page: why the recalculation is a WARNING, and the row warnings table.
  await page.goto(`/pipelines/${job.pipelineId}`)
  await expect(
    page.getByRole('heading', { level: 1, name: `Pipeline ${job.pipelineId}` }),
  ).toBeVisible()
  await expect(page.getByTestId('job-warning')).toHaveText('Warning: 1 entry without emission')
  const table = page.getByRole('region', { name: `Row warnings of job ${jobId}` })
  await expect(table.getByTestId('row-warning')).toHaveCount(1)
  await expect(table.getByTestId('row-warning').first().getByRole('cell')).toHaveText([
    String(file.unknown.line),
    'unknown_location',
    previewMessage,
  ])
  await expect(
    page.getByRole('link', { name: 'Download the row without emission as CSV', exact: true }),
  ).toHaveAttribute('href', `/api/v1/sync/jobs/${jobId}/warnings.csv`)
  await page.waitForLoadState('networkidle')
  await expectNoSeriousViolations(page, 'the pipeline detail page with row warnings')
})
