import type { Response } from '@playwright/test'
import { expect, test } from '../support/fixtures.ts'
import { users } from '../support/state.ts'

/**
 * Issue 5, point 5: tenancy (SPEC §2). Institution B's data manager opening the address of one
 * of institution A's pipelines sees an access error, and nothing of A: not in the page's text,
 * not in its markup, not in any API answer the page received.
 */

/** What would betray Demo University A: its name, its units, its people, its file names. */
const unitsOfA = ['LAB-CLIMATE', 'LAB-ENERGY', 'LAB-BIOCHEM', 'LAB-MATERIALS', 'DEPT-ADMIN']
const fileOfA = 'demo-a-confidential-process-emissions.csv'
const secretsOfA = [
  ...unitsOfA,
  'Climate Dynamics',
  'Demo University A',
  'Demo A',
  'Alice Admin',
  'Marc Manager',
  'Vera Viewer',
  fileOfA,
]

test("B's data manager opening a pipeline of A sees an access error and none of A's data", async ({
  page,
  suite,
  apiAs,
  signIn,
}) => {
  const year = suite.dataYear
  // Arrange, as A: an upload of rows naming A's units (every row invalid: it changes no data),
  // and one of the demo seed's pipelines of A.
  const managerA = await apiAs(users.managerA)
  const upload = await managerA.upload({
    moduleTypeId: 8,
    dataEntryTypeId: 50,
    year,
    fileName: fileOfA,
    content: [
      'unit_institutional_id,category,subcategory,quantity,note',
      'LAB-CLIMATE,Methane-ish,,12,Calibration gas of LAB-CLIMATE',
      'LAB-ENERGY,Steam,,3,Boiler of LAB-ENERGY',
    ].join('\n'),
  })
  const uploaded = await managerA.waitForPipeline(upload.pipelineId)
  expect(uploaded.status).toBe('FAILED')
  // A sees its own pipeline, with who started it: the kind of thing B must not see.
  expect(JSON.stringify(uploaded)).toContain('Marc Manager (Demo A)')
  const seeded = await managerA.get<{ items: { id: number; kind: string }[] }>(
    `/api/v1/sync/pipelines?year=${year}&limit=100`,
  )
  const seedPipeline = seeded.items.find((p) => p.kind === 'seed')
  expect(seedPipeline, 'a demo seed pipeline of A').toBeTruthy()

  // The API says 403 forbidden to B, for the snapshot and the stream alike.
  const managerB = await apiAs(users.managerB)
  expect(await managerB.status(`/api/v1/sync/pipelines/${upload.pipelineId}`)).toBe(403)
  expect(await managerB.status(`/api/v1/sync/pipelines/${upload.pipelineId}/stream`)).toBe(403)

  await signIn(page, users.managerB)
  const answers: Response[] = []
  page.on('response', (r) => {
    if (new URL(r.url()).pathname.startsWith('/api/')) answers.push(r)
  })

  for (const pipelineId of [upload.pipelineId, seedPipeline!.id]) {
    answers.length = 0
    await page.goto(`/pipelines/${pipelineId}`)
    await expect(page.getByRole('heading', { level: 1, name: 'Access denied' })).toBeVisible()
    await expect(page.getByRole('alert').filter({ hasText: 'another institution' })).toHaveText(
      'This pipeline belongs to another institution.',
    )
    await page.waitForLoadState('networkidle')
    // Signed in as B, in B's institution.
    await expect(page.getByRole('banner')).toContainText('Demo University B')

    const text = await page.evaluate(() => document.body.innerText)
    const markup = await page.content()
    for (const secret of secretsOfA) {
      expect(text, `page text must not contain "${secret}"`).not.toContain(secret)
      expect(markup, `page markup must not contain "${secret}"`).not.toContain(secret)
    }
    const pipelineAnswer = answers.find((r) =>
      new URL(r.url()).pathname.endsWith(`/sync/pipelines/${pipelineId}`),
    )
    expect(pipelineAnswer?.status()).toBe(403)
    for (const answer of answers) {
      const body = await answer.text().catch(() => '')
      for (const secret of secretsOfA)
        expect(body, `${answer.url()} must not contain "${secret}"`).not.toContain(secret)
    }
  }

  // An id that does not exist says so, differently (404, not 403).
  await page.goto('/pipelines/99999999')
  await expect(page.getByRole('heading', { level: 1, name: 'Pipeline not found' })).toBeVisible()
})
