import { expect, test } from '../support/fixtures.ts'
import { demoPassword, users } from '../support/state.ts'
import { moduleBadge } from '../support/ui.ts'

/**
 * Issue 4, point 1: a session that expires while the user works sends them to sign-in, and
 * signing in again brings them back to the page they were going to (SPEC §8). The session is
 * expired in the database, as the server's clock would: the browser keeps its cookie.
 */

test('an expired session goes to sign-in and comes back to the page afterwards', async ({
  page,
  suite,
  sql,
  signIn,
}) => {
  const year = suite.dataYear
  await signIn(page, users.managerA)
  await page.goto(`/data/${year}`)
  await expect(
    page.getByRole('heading', { level: 1, name: `Data management ${year}` }),
  ).toBeVisible()
  await expect(moduleBadge(page, 'Professional travel')).toBeVisible()
  // The window's first focus refetches the active pipelines (SPEC §8). Give it that focus now,
  // and let the refetch land, so that the request which meets the expired session below is the
  // one the Reports link makes, not a refetch racing it.
  const refetch = page
    .waitForResponse((r) => r.url().includes('/active-pipelines'), { timeout: 3_000 })
    .catch(() => undefined)
  await page.getByRole('heading', { level: 1 }).click()
  await refetch

  await sql`UPDATE sessions SET expires_at = now() - interval '1 second'
            WHERE user_id = (SELECT id FROM users WHERE email = ${users.managerA})`

  // The next page the user opens asks the API, which answers 401.
  await page.getByRole('navigation').getByRole('link', { name: 'Reports' }).click()
  await expect
    .poll(() => {
      const url = new URL(page.url())
      return [url.pathname, url.searchParams.get('next'), url.searchParams.get('expired')]
    })
    .toEqual(['/sign-in', `/reports/${year}`, '1'])
  await expect(page.getByRole('main')).toContainText(
    'Your session has expired. Sign in again to go back to your page.',
  )

  await page.getByLabel('Email address').fill(users.managerA)
  await page.getByLabel('Password').fill(demoPassword)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page).toHaveURL(new RegExp(`/reports/${year}$`))
  await expect(page.getByRole('heading', { level: 1, name: `Reports ${year}` })).toBeVisible()
})

test('sign-in never sends the user to another site, whatever `next` says', async ({
  page,
  suite,
}) => {
  await page.goto('/sign-in?next=https://attacker.example/phish')
  await page.getByLabel('Email address').fill(users.managerA)
  await page.getByLabel('Password').fill(demoPassword)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page.getByRole('heading', { level: 1, name: /^Data management / })).toBeVisible()
  expect(new URL(page.url()).origin).toBe(new URL(suite.baseURL).origin)
})
