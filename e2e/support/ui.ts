import type { Download, Locator, Page } from '@playwright/test'
import fs from 'node:fs/promises'

/** A module's card on the data management page: a region named by its heading. */
export function moduleCard(page: Page, label: string): Locator {
  return page.getByRole('region', { name: label, exact: true })
}

/**
 * The pipeline badge in a module card's head (not the UploadCards' badges below it): the one
 * beside the module's heading.
 */
export function moduleBadge(page: Page, label: string): Locator {
  return moduleCard(page, label)
    .getByRole('heading', { level: 2, name: label, exact: true })
    .locator('xpath=..')
    .getByTestId('pipeline-badge')
}

/** The tooltip a badge names with aria-describedby. */
export async function tooltipOf(badge: Locator): Promise<Locator> {
  const id = await badge.getAttribute('aria-describedby')
  if (!id) throw new Error('the badge has no aria-describedby')
  return badge.page().locator(`[id="${id}"]`)
}

/** Describes the focused element briefly, for the trail of a Tab walk. */
function describeFocus(page: Page): Promise<string> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null
    if (!el || el === document.body) return 'body'
    const name =
      el.getAttribute('aria-label') ?? el.textContent?.replace(/\s+/g, ' ').trim().slice(0, 40)
    return `${el.tagName.toLowerCase()}${el.getAttribute('role') ? `[role=${el.getAttribute('role')}]` : ''} "${name ?? ''}"`
  })
}

/**
 * Presses Tab (and nothing else: no click, no focus()) until `target` has focus, at most
 * `max` times. Returns how many presses it took; throws with the trail of focused elements
 * if the target was never reached.
 */
export async function tabUntilFocused(page: Page, target: Locator, max: number): Promise<number> {
  const trail: string[] = []
  for (let presses = 1; presses <= max; presses++) {
    await page.keyboard.press('Tab')
    const focused = await target
      .evaluate((el) => el === document.activeElement, undefined, { timeout: 2_000 })
      .catch(() => false)
    if (focused) return presses
    trail.push(await describeFocus(page))
  }
  throw new Error(
    `not reached with ${max} presses of Tab; focus went through:\n  ${trail.join('\n  ')}`,
  )
}

/** Whether `target` is the document's active element. */
export function isFocused(target: Locator): Promise<boolean> {
  return target.evaluate((el) => el === document.activeElement)
}

export async function downloadText(download: Download): Promise<string> {
  const file = await download.path()
  return fs.readFile(file, 'utf8')
}

/**
 * Records, in the page, every text the pipeline badge of a module card's head shows from now
 * on (a MutationObserver, so that a step shown for 100 ms between two polls is not missed).
 * Returns a function that reads the record.
 */
export async function recordModuleBadge(
  page: Page,
  moduleLabel: string,
): Promise<() => Promise<string[]>> {
  const key = `__badgeTexts_${moduleLabel.replace(/\W/g, '_')}`
  const head = moduleCard(page, moduleLabel)
    .getByRole('heading', { level: 2, name: moduleLabel, exact: true })
    .locator('xpath=..')
  await head.evaluate((root, key) => {
    const seen: string[] = []
    const read = () => {
      const text = root.querySelector('[data-testid="pipeline-badge"]')?.textContent?.trim() ?? ''
      if (text && seen[seen.length - 1] !== text) seen.push(text)
    }
    read()
    new MutationObserver(read).observe(root, {
      subtree: true,
      childList: true,
      characterData: true,
    })
    ;(window as unknown as Record<string, string[]>)[key] = seen
  }, key)
  return () =>
    page.evaluate((key) => [...((window as unknown as Record<string, string[]>)[key] ?? [])], key)
}

/** Whether `seen` appears in `order` in the same order (each item of `seen` in `order`). */
export function isSubsequence(seen: readonly string[], order: readonly string[]): boolean {
  let at = 0
  for (const item of seen) {
    const found = order.indexOf(item, at)
    if (found < 0) return false
    at = found + 1
  }
  return true
}

/** Parses "1,234.5 kg CO2-eq" (formatKgExact's title) into a number of kg. */
export function kgOfTitle(title: string | null): number {
  const m = /^(-?[\d,]+(?:\.\d+)?) kg CO2-eq$/.exec(title ?? '')
  if (!m) throw new Error(`not an exact kg value: ${JSON.stringify(title)}`)
  return Number(m[1]!.replace(/,/g, ''))
}
