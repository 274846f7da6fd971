import { randomBytes } from 'node:crypto'
import { externalCloudsFile, planeFile } from '../support/csv.ts'
import { expect, institutionId, test, type Sql } from '../support/fixtures.ts'
import { users } from '../support/state.ts'
import { moduleBadge, moduleCard } from '../support/ui.ts'

/**
 * Issue 5, point 4: the admin (SPEC §1, §5.6, §6 stale-stats, §8). Cancels a large upload
 * while it runs and finds the previous data untouched; recovers a failed job and sees the new
 * attempt in the timeline; reads the stale-statistics panel.
 */

/**
 * Plane entries of Demo University A for the year, straight from the table: how many, and a
 * digest of their ids and contents (a replace, even of identical rows, writes new ids).
 */
async function planeEntries(sql: Sql, year: number): Promise<{ count: number; digest: string }> {
  const inst = await institutionId(sql, 'Demo University A')
  const [row] = await sql<{ count: number; digest: string }[]>`
    SELECT count(*)::int AS count,
           md5(coalesce(string_agg(id::text || ':' || data::text, ',' ORDER BY id), '')) AS digest
    FROM data_entries WHERE institution_id = ${inst} AND data_entry_type_id = 20 AND year = ${year}`
  return row!
}

/** Whether a transaction waits for a lock on entry_emissions (the one holdWrites takes). */
async function waitingForEmissions(sql: Sql): Promise<boolean> {
  const [row] = await sql<{ waiting: boolean }[]>`
    SELECT EXISTS (SELECT 1 FROM pg_locks
                   WHERE relation = 'entry_emissions'::regclass AND NOT granted) AS waiting`
  return row!.waiting
}

test('admin cancels a large upload while it runs; the previous data stays', async ({
  page,
  suite,
  sql,
  apiAs,
  signIn,
  holdWrites,
}) => {
  test.setTimeout(120_000)
  const year = suite.dataYear
  const admin = await apiAs(users.adminA)
  const reportBefore = await admin.moduleReport(year, 2)
  const tableBefore = await planeEntries(sql, year)
  expect(tableBefore.count).toBeGreaterThan(0)

  await signIn(page, users.adminA)
  await page.goto(`/data/${year}`)
  const travel = moduleCard(page, 'Professional travel')
  const facts = travel.getByRole('paragraph').filter({ hasText: /\d entr(y|ies)/ })
  await expect(facts).toContainText(`${reportBefore!.entryCount.toLocaleString('en-US')} entries`)
  const factsBefore = (await facts.textContent())!.trim()

  // The admin starts a replace of the plane trips with 300,000 rows, through the dialog.
  const card = page.getByTestId('upload-card-plane')
  await card.getByRole('button', { name: 'Upload a file of Plane trips' }).click()
  const dialog = page.getByRole('dialog', { name: 'Upload a CSV file' })
  const big = planeFile(300_000, 'plane-trips-300k.csv')
  await dialog.getByLabel('CSV file').setInputFiles({
    name: big.fileName,
    mimeType: 'text/csv',
    buffer: Buffer.from(big.content),
  })
  await dialog.getByRole('button', { name: 'Preview', exact: true }).click()
  await expect(dialog.getByTestId('preview')).toContainText('300,000 rows would be stored', {
    timeout: 30_000,
  })
  // The emissions table is held until the cancel has landed. The ingestion copies all 300,000
  // rows and deletes the previous plane entries inside its transaction, then waits there for
  // the emissions of those entries: the cancel has a half-done replace to roll back, and the
  // ingestion cannot finish first, however fast the machine.
  const releaseEmissions = await holdWrites('entry_emissions')
  await dialog.getByRole('button', { name: 'Confirm upload' }).click()
  const progress = dialog.getByTestId('progress')
  await expect(progress).toContainText('Step 1/3 · Inserting data…')
  const pipelineId = Number(/Pipeline (\d+)\./.exec((await progress.textContent()) ?? '')?.[1])
  expect(pipelineId).toBeGreaterThan(0)
  await expect
    .poll(() => waitingForEmissions(sql), {
      message: 'the ingestion, all rows copied, waits for the emissions table',
      timeout: 60_000,
    })
    .toBe(true)
  await expect
    .poll(async () => {
      const p = await admin.pipeline(pipelineId)
      return [p.status, p.progress.processed]
    })
    .toEqual(['RUNNING', 300_000])

  // The upload goes on behind the closed dialog; the type's card shows it, with Cancel.
  await dialog.getByRole('button', { name: 'Close', exact: true }).click()
  await expect(dialog).toBeHidden()
  await expect(card.getByRole('progressbar')).toHaveAccessibleName(/Step 1\/3 · Inserting data…/)
  await card.getByRole('button', { name: `Cancel pipeline ${pipelineId}` }).click()
  const confirm = page.getByRole('dialog', { name: `Cancel pipeline ${pipelineId}?` })
  await expect(confirm).toBeVisible()
  await confirm.getByRole('button', { name: 'Cancel pipeline' }).click()

  // CANCELLED, on the module's badge and on the pipeline's page.
  await expect(moduleBadge(page, 'Professional travel')).toHaveText('Last run cancelled', {
    timeout: 30_000,
  })
  const cancelled = await admin.waitForPipeline(pipelineId)
  await releaseEmissions()
  expect(cancelled.status).toBe('CANCELLED')
  const ingest = cancelled.jobs.find((j) => j.jobType === 'csv_ingest')!
  expect(ingest.result).toBe('CANCELLED')
  // Nothing chained after the cancel.
  expect(cancelled.jobs.map((j) => j.jobType)).toEqual(['csv_ingest'])

  await page.goto(`/pipelines/${pipelineId}`)
  await expect(
    page.getByRole('heading', { level: 1, name: `Pipeline ${pipelineId}` }),
  ).toBeVisible()
  await expect(page.getByRole('main')).toContainText('Cancelled')
  await expect(page.getByRole('main')).toContainText('FINISHED · CANCELLED')

  // The previous data is intact: in the page, in the report, in the table. The type's card
  // still describes the file stored before, and says apart that the big one was cancelled.
  await page.goto(`/data/${year}`)
  await expect(facts).toHaveText(factsBefore)
  await expect(card.getByTestId('latest-attempt')).toContainText(
    `Latest attempt: ${big.fileName} was cancelled`,
  )
  await expect(card.getByTestId('stored')).not.toContainText(big.fileName)
  const reportAfter = await admin.moduleReport(year, 2)
  expect(reportAfter?.entryCount).toBe(reportBefore?.entryCount)
  expect(reportAfter?.byDataEntryType['20']).toBe(reportBefore?.byDataEntryType['20'])
  expect(await planeEntries(sql, year)).toEqual(tableBefore)
})

test('admin recovers a failed job and sees the new attempt in the timeline', async ({
  page,
  suite,
  sql,
  apiAs,
  signIn,
}) => {
  const year = suite.dataYear
  // Arrange: a cloud bill for a lab that is not registered yet: every row fails, the
  // ingestion ends in ERROR. Then the lab is registered (there is no UI for units: SQL), so
  // that a retry of the same upload can succeed.
  const lab = `E2E-LAB-${randomBytes(3).toString('hex').toUpperCase()}`
  const admin = await apiAs(users.adminA)
  const upload = await admin.upload({
    moduleTypeId: 7,
    dataEntryTypeId: 40,
    year,
    mode: 'append',
    ...externalCloudsFile(lab, 'cloud-bills-new-lab.csv'),
  })
  const failed = await admin.waitForPipeline(upload.pipelineId)
  expect(failed.status).toBe('FAILED')
  const inst = await institutionId(sql, 'Demo University A')
  await sql`INSERT INTO units (institution_id, institutional_id, name)
            VALUES (${inst}, ${lab}, 'Lab registered by the e2e suite')`

  await signIn(page, users.adminA)
  await page.goto(`/pipelines/${upload.pipelineId}`)
  await expect(
    page.getByRole('heading', { level: 1, name: `Pipeline ${upload.pipelineId}` }),
  ).toBeVisible()
  const jobs = page.getByRole('region', { name: 'Jobs' })
  await expect(
    jobs.getByRole('heading', { name: `CSV ingestion (job ${upload.jobId})` }),
  ).toBeVisible()
  await expect(jobs).toContainText('FINISHED · ERROR')
  await expect(jobs).toContainText('No valid row')

  await jobs.getByRole('button', { name: `Recover job ${upload.jobId}` }).click()

  // The new attempt: a new ingestion job that says it retries the failed one.
  const retried = await admin.waitForPipeline(upload.pipelineId, {
    done: (p) => p.jobs.some((j) => j.retryOf === upload.jobId),
    timeoutMs: 15_000,
  })
  const retry = retried.jobs.find((j) => j.retryOf === upload.jobId)!
  expect(retry.jobType).toBe('csv_ingest')
  const retryEntry = jobs.getByRole('listitem').filter({
    has: page.getByRole('heading', { name: `CSV ingestion (job ${retry.id})` }),
  })
  await expect(retryEntry).toBeVisible()
  await expect(retryEntry).toContainText(`retries job ${upload.jobId}`)
  await expect(retryEntry).toContainText('FINISHED · SUCCESS', { timeout: 30_000 })
  // The failed attempt stays in the history, above the new one, and is not offered for
  // recovery again (it is retried already).
  await expect(
    jobs.getByRole('heading', { name: `CSV ingestion (job ${upload.jobId})` }),
  ).toBeVisible()
  await expect(jobs.getByRole('button', { name: `Recover job ${upload.jobId}` })).toHaveCount(0)
  // The retry chained the rest of the pipeline, live on the page.
  await expect(jobs.getByRole('heading', { name: /^Aggregation \(job \d+\)$/ })).toBeVisible({
    timeout: 30_000,
  })
  const done = await admin.waitForPipeline(upload.pipelineId)
  expect(done.jobs.find((j) => j.id === retry.id)?.result).toBe('SUCCESS')
})

test('admin sees a module with failed statistics in the stale-stats panel, with its reason', async ({
  page,
  suite,
  sql,
  apiAs,
  signIn,
}) => {
  const year = suite.dataYear
  // Arrange: the current aggregation of Headcount ended in ERROR (no way to make one fail from
  // the UI; SQL on the job that holds the module's statistics). Restored afterwards.
  const inst = await institutionId(sql, 'Demo University A')
  const [agg] = await sql<{ id: number; result: string; status_message: string | null }[]>`
    SELECT id, result, status_message FROM jobs
    WHERE institution_id = ${inst} AND module_type_id = 1 AND year = ${year}
      AND job_type = 'aggregation' AND is_current`
  expect(agg, 'the current aggregation of Headcount').toBeTruthy()
  await sql`UPDATE jobs SET result = 'ERROR', status_message = 'statistics write failed (e2e)'
            WHERE id = ${agg!.id}`
  try {
    const admin = await apiAs(users.adminA)
    const health = await admin.get<{
      items: { moduleTypeId: number; year: number; whyStale: string }[]
    }>('/api/v1/sync/health/stale-stats?older_than_minutes=60')
    expect(health.items).toContainEqual(
      expect.objectContaining({ moduleTypeId: 1, year, whyStale: 'last_aggregation_failed' }),
    )

    await signIn(page, users.adminA)
    await page.goto(`/data/${year}`)
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Operations' })
      .click()
    await expect(page.getByRole('heading', { level: 1, name: 'Pipeline operations' })).toBeVisible()
    const panel = page.getByRole('region', { name: 'Stale statistics' })
    const item = panel.getByRole('listitem').filter({ hasText: `Headcount, ${year}` })
    await expect(item).toBeVisible()
    await expect(item).toContainText('The last aggregation failed.')
    await expect(item).toContainText(`(job ${agg!.id})`)
    await expect(item.getByRole('button', { name: `Recalculate Headcount, ${year}` })).toBeVisible()
  } finally {
    await sql`UPDATE jobs SET result = ${agg!.result}, status_message = ${agg!.status_message}
              WHERE id = ${agg!.id}`
  }
})

test('admin filters the pipeline list by module and status', async ({ page, signIn, apiAs }) => {
  const admin = await apiAs(users.adminA)
  await signIn(page, users.adminA)
  await page.goto('/operations')
  await expect(page.getByRole('heading', { level: 1, name: 'Pipeline operations' })).toBeVisible()
  const filters = page.getByRole('group', { name: 'Filters' })
  const rows = page.getByTestId('pipeline-row')
  await expect(rows.first()).toBeVisible()

  await filters.getByRole('combobox', { name: 'Module' }).click()
  await page.getByRole('option', { name: 'Headcount', exact: true }).click()
  await filters.getByRole('combobox', { name: 'Status' }).click()
  await page.getByRole('option', { name: 'Succeeded', exact: true }).click()

  // The rows are the API's answer to the same filters, newest first, and each says so.
  const expected = await admin.get<{ items: { id: number }[] }>(
    '/api/v1/sync/pipelines?moduleTypeId=1&status=SUCCESS&limit=25',
  )
  expect(expected.items.length).toBeGreaterThan(0)
  await expect
    .poll(() => rows.getByRole('link').allTextContents())
    .toEqual(expected.items.map((p) => String(p.id)))
  for (const row of await rows.all()) {
    await expect(row).toContainText('Headcount')
    await expect(row).toContainText('Succeeded')
  }

  // A combination nothing matches says so.
  await filters.getByRole('combobox', { name: 'Status' }).click()
  await page.getByRole('option', { name: 'Not started', exact: true }).click()
  await expect(page.getByText('No pipeline matches these filters.')).toBeVisible()
})
