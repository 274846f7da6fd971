import { energyCombustionFile, parseCsv, type FuelFactor } from '../support/csv.ts'
import { expect, institutionId, test } from '../support/fixtures.ts'
import { demoPassword, users } from '../support/state.ts'
import {
  downloadText,
  isSubsequence,
  kgOfTitle,
  moduleBadge,
  moduleCard,
  recordModuleBadge,
  tooltipOf,
} from '../support/ui.ts'

/**
 * Issue 5, point 2: the data manager's journey (SPEC §1, §8). Signs in, downloads a template,
 * uploads energy bills with one bad row through the dialog, sees that row in the preview,
 * confirms, watches the module's badge go through the steps, ends with a WARNING, downloads
 * the failed row and sees the report total move by what the file's rows are worth.
 *
 * Buildings / energy combustion is this journey's module: no other spec touches it.
 */

const MODULE = 'Buildings'
const MODULE_ID = 3
const TYPE_ID = 31

/** The badge texts of SPEC §8, in the order a pipeline goes through them. */
const documentedOrder = [
  'Recalculating…',
  'Step 1/3 · Inserting data…',
  'Step 2/3 · Recalculating emissions…',
  'Step 3/3 · Aggregating…',
  // The end: the ingestion finished with WARNING (one row failed), so the pipeline is PARTIAL.
  'Last run had warnings',
]

test('data manager uploads a file with one bad row and follows it to the report', async ({
  page,
  suite,
  sql,
  apiAs,
}) => {
  const year = suite.dataYear

  // What the rows are worth, computed from the seeded factors (read over SQL), not by the app.
  const instA = await institutionId(sql, 'Demo University A')
  const factors = await sql<FuelFactor[]>`
    SELECT classification->>'name' AS name, classification->>'unit' AS unit,
           (values->>'ef_kg_co2eq_per_unit')::float8 AS ef
    FROM factors
    WHERE institution_id = ${instA} AND data_entry_type_id = ${TYPE_ID} AND year = ${year}
    ORDER BY 1`
  // 20,000 rows: a few seconds of pipeline, so that the badge shows its intermediate steps
  // even on a busy 2-core machine (5,000 rows can finish in under a second).
  const file = energyCombustionFile(20_000, factors, 7_321)

  // Sign in through the sign-in page, coming from the home page.
  await page.goto('/')
  await expect(page).toHaveURL(/\/sign-in\?next=/)
  await expect(
    page.getByRole('heading', { level: 1, name: 'Sign in to Carbon Sync' }),
  ).toBeVisible()
  await page.getByLabel('Email address').fill(users.managerA)
  await page.getByLabel('Password').fill(demoPassword)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(
    page.getByRole('heading', { level: 1, name: `Data management ${year}` }),
  ).toBeVisible()

  // The report before: the module's total on the reporting page (exact value in its title).
  const nav = page.getByRole('navigation', { name: 'Main' })
  await nav.getByRole('link', { name: 'Reports' }).click()
  await expect(page.getByRole('heading', { level: 1, name: `Reports ${year}` })).toBeVisible()
  const moduleTotalCell = page
    .getByRole('region', { name: 'Modules' })
    .getByRole('row')
    .filter({ has: page.getByRole('rowheader', { name: MODULE, exact: true }) })
    .getByRole('cell')
    .first()
  const before = kgOfTitle(await moduleTotalCell.getAttribute('title'))
  const api = await apiAs(users.managerA)
  const reportBefore = await api.moduleReport(year, MODULE_ID)
  expect(reportBefore?.totalKgCo2eq).toBeCloseTo(before, 4)
  const typeBefore = reportBefore?.byDataEntryType[String(TYPE_ID)] ?? 0
  // A replace: the type's entries become the file's valid rows.
  const expectedDelta = file.expectedKg - typeBefore
  expect(Math.abs(expectedDelta)).toBeGreaterThan(1)

  await nav.getByRole('link', { name: 'Data' }).click()
  const card = page.getByTestId('upload-card-energy_combustion')
  await expect(card.getByRole('heading', { name: 'Energy combustion' })).toBeVisible()

  // The template: comment lines explaining each column, then the header, then examples.
  const templateDownload = page.waitForEvent('download')
  await card.getByRole('link', { name: 'Download the CSV template of Energy combustion' }).click()
  const template = await templateDownload
  expect(template.suggestedFilename()).toMatch(/energy_combustion.*\.csv$/)
  const templateText = await downloadText(template)
  const templateLines = templateText.replace(/^\uFEFF/, '').split(/\r?\n/)
  const headerAt = templateLines.findIndex((l) => l !== '' && !l.startsWith('#'))
  expect(templateLines[headerAt]).toBe(file.header)
  const comments = templateLines.slice(0, headerAt)
  expect(comments.length).toBeGreaterThan(0)
  for (const line of comments) expect(line.startsWith('#')).toBe(true)
  const required = ['unit_institutional_id', 'name', 'quantity']
  for (const column of file.header.split(',')) {
    const kind = required.includes(column) ? 'required' : 'optional'
    expect(
      comments.some((l) => l.startsWith(`# ${column} (${kind})`)),
      `${column} explained`,
    ).toBe(true)
  }
  const examples = templateLines.slice(headerAt + 1).filter((l) => l.trim() !== '')
  expect(examples.length).toBeGreaterThan(0)
  for (const row of parseCsv(examples.join('\n')))
    expect(row).toHaveLength(file.header.split(',').length)

  // The upload dialog, opened from the type's card: the type is chosen already.
  await card.getByRole('button', { name: 'Upload a file of Energy combustion' }).click()
  const dialog = page.getByRole('dialog', { name: 'Upload a CSV file' })
  await expect(dialog).toBeVisible()
  await expect(dialog.getByRole('combobox', { name: 'Data-entry type' })).toHaveValue(
    'Buildings · Energy combustion',
  )

  // Drag and drop: the template dropped on the drop zone is the file the preview reads.
  // By test id: its accessible name is its text, which becomes the chosen file's name.
  const dropZone = dialog.getByTestId('drop-zone')
  await expect(dropZone).toHaveAccessibleName('Drop a CSV file here, or choose a file')
  const dataTransfer = await page.evaluateHandle(
    ({ name, content }) => {
      const dt = new DataTransfer()
      dt.items.add(new File([content], name, { type: 'text/csv' }))
      return dt
    },
    { name: 'template-dropped.csv', content: templateText },
  )
  await dropZone.dispatchEvent('dragover', { dataTransfer })
  await dropZone.dispatchEvent('drop', { dataTransfer })
  await expect(dropZone).toContainText('template-dropped.csv')
  await dialog.getByRole('button', { name: 'Preview', exact: true }).click()
  const preview = dialog.getByTestId('preview')
  await expect(preview).toContainText('template-dropped.csv')
  await expect(preview).toContainText(`${examples.length} row`)
  await dialog.getByRole('button', { name: 'Back' }).click()

  // The real file, chosen with the (hidden) file input.
  await dialog.getByLabel('CSV file').setInputFiles({
    name: file.fileName,
    mimeType: 'text/csv',
    buffer: Buffer.from(file.content),
  })
  await expect(dropZone).toContainText(file.fileName)
  await dialog.getByRole('button', { name: 'Preview', exact: true }).click()
  await expect(preview).toContainText(file.fileName)
  await expect(preview).toContainText('20,000 rows in the file')
  await expect(preview).toContainText('19,999 rows would be stored')
  await expect(preview).toContainText('1 row with errors would be skipped')
  // The impact: the module's total before and after, exact in the titles.
  const impact = preview.getByRole('paragraph').filter({ hasText: 'Module total:' })
  const impactTitles = impact.getByTitle(/ kg CO2-eq$/)
  await expect(impactTitles).toHaveCount(2)
  const [impactBefore, impactAfter] = await impactTitles.evaluateAll((spans) =>
    spans.map((s) => s.getAttribute('title')),
  )
  expect(kgOfTitle(impactBefore!)).toBeCloseTo(before, 4)
  expect(kgOfTitle(impactAfter!)).toBeCloseTo(before + expectedDelta, 3)
  // The bad row: its line in the file, its column and why.
  const errors = preview.getByRole('region', { name: 'Row errors found by the preview' })
  const errorRows = errors.getByTestId('row-error')
  await expect(errorRows).toHaveCount(1)
  const errorCells = errorRows.first().getByRole('cell')
  await expect(errorCells.nth(0)).toHaveText(String(file.bad.line))
  await expect(errorCells.nth(1)).toHaveText(file.bad.column)
  await expect(errorCells.nth(2)).toHaveText('invalid_number')
  await expect(errorCells.nth(3)).toContainText('thousands separator')
  const previewMessage = (await errorCells.nth(3).textContent())!.trim()

  // Confirm, and record every text the module's badge shows from now on.
  const readBadgeTexts = await recordModuleBadge(page, MODULE)
  const shownBefore = (await readBadgeTexts()).length
  await dialog.getByRole('button', { name: 'Confirm upload' }).click()
  await expect(dialog.getByTestId('progress').or(dialog.getByTestId('result'))).toBeVisible()

  // The result: PARTIAL (the ingestion's WARNING), rows imported and failed.
  const result = dialog.getByTestId('result')
  await expect(result).toBeVisible({ timeout: 60_000 })
  await expect(result).toContainText('Partial (warnings)')
  await expect(result).toContainText('finished with warnings')
  await expect(result).toContainText('19,999 rows imported')
  await expect(result).toContainText('1 row failed')

  // The failed rows, as CSV: the original header plus the reason columns, the one bad row.
  const errorsDownload = page.waitForEvent('download')
  await result.getByRole('link', { name: 'Download the failed rows' }).click()
  const errorsCsv = parseCsv(await downloadText(await errorsDownload)).filter(
    (r) => r.length > 1 || r[0] !== '',
  )
  expect(errorsCsv[0]).toEqual([
    ...file.header.split(','),
    'error_column',
    'error_code',
    'error_message',
  ])
  expect(errorsCsv).toHaveLength(2)
  expect(errorsCsv[1]).toEqual([
    ...file.bad.cells,
    file.bad.column,
    'invalid_number',
    previewMessage,
  ])

  // The badge went through the steps of SPEC §8, in order, and ended in the final state.
  await expect(moduleBadge(page, MODULE)).toHaveText('Last run had warnings')
  const seen = (await readBadgeTexts()).slice(shownBefore)
  const context = `badge texts seen: ${JSON.stringify(seen)}`
  console.log(`data manager: the Buildings badge showed ${seen.join(' → ')}`)
  expect(isSubsequence(seen, documentedOrder), context).toBe(true)
  expect(seen.at(-1), context).toBe('Last run had warnings')
  // Each of the three steps was on screen, not only some of them. ("Recalculating…", the
  // queued pipeline before its first job starts, may pass between two frames.)
  expect(
    seen.filter((t) => t.startsWith('Step ')),
    context,
  ).toEqual(documentedOrder.filter((t) => t.startsWith('Step ')))

  // The WARNING itself: the card's badge tooltip lists the ingestion job and its result.
  await dialog.getByRole('button', { name: 'Done' }).click()
  await expect(dialog).toBeHidden()
  const badge = moduleBadge(page, MODULE)
  await badge.hover()
  const tooltip = await tooltipOf(badge)
  await expect(tooltip).toBeVisible()
  await expect(tooltip).toContainText('CSV ingestion · FINISHED · WARNING')
  await expect(card).toContainText('19,999 rows')
  await expect(card).toContainText('1 failed row')
  await expect(moduleCard(page, MODULE)).toContainText('19,999 entries')

  // The report: the module's total moved by exactly what the valid rows are worth.
  await nav.getByRole('link', { name: 'Reports' }).click()
  await expect(page.getByRole('heading', { level: 1, name: `Reports ${year}` })).toBeVisible()
  await expect
    .poll(async () => kgOfTitle(await moduleTotalCell.getAttribute('title')) - before, {
      message: 'change of the module total on the reporting page',
    })
    .toBeCloseTo(expectedDelta, 3)
  // One unit for the whole column, said in its header (tonnes when its largest value is 10 t or
  // more), none in the cells.
  const after = before + expectedDelta
  const totals = await api.get<{ modules: { totalKgCo2eq: number }[] }>(`/api/v1/reports/${year}`)
  const largest = Math.max(...totals.modules.map((m) => Math.abs(m.totalKgCo2eq)))
  const unit = largest >= 10_000 ? 't' : 'kg'
  await expect(
    page.getByRole('region', { name: 'Modules' }).getByRole('columnheader').nth(1),
  ).toHaveText(`Total (${unit} CO2-eq)`)
  // In tonnes, one decimal; in kg, whole kg from 100 kg (as the SPA's formatMass).
  const inUnit = unit === 't' ? after / 1000 : after
  const decimals = unit === 't' ? [1, 1] : Math.abs(inUnit) >= 100 ? [0, 0] : [0, 2]
  await expect(moduleTotalCell).toHaveText(
    inUnit.toLocaleString('en-US', {
      minimumFractionDigits: decimals[0],
      maximumFractionDigits: decimals[1],
    }),
  )
  const reportAfter = await api.moduleReport(year, MODULE_ID)
  expect(reportAfter?.byDataEntryType[String(TYPE_ID)]).toBeCloseTo(file.expectedKg, 3)
})
