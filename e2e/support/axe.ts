import AxeBuilder from '@axe-core/playwright'
import { expect, test, type Page } from '@playwright/test'

type Violation = Awaited<ReturnType<AxeBuilder['analyze']>>['violations'][number]

function describe(violations: readonly Violation[]): string {
  return violations
    .map((v) => {
      const nodes = v.nodes
        .slice(0, 8)
        .map(
          (n) =>
            `    - ${n.target.join(' ')}\n      ${n.failureSummary?.replace(/\n/g, '\n      ')}`,
        )
        .join('\n')
      return `[${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})\n${nodes}`
    })
    .join('\n')
}

/**
 * Waits for the page's finite animations and transitions (ripples, field and dialog
 * transitions) to end: axe cannot tell the colours behind text that is still moving, and
 * reports it as "incomplete" instead of judging it.
 */
async function settled(page: Page): Promise<void> {
  await page.waitForFunction(
    () =>
      document
        .getAnimations()
        .every(
          (a) => a.playState !== 'running' || a.effect?.getComputedTiming().iterations === Infinity,
        ),
    undefined,
    { timeout: 10_000 },
  )
}

/**
 * Runs axe-core on the page as it is, every rule axe enables by default (WCAG 2.0 to 2.2 A and
 * AA, and its best practices), and fails on any serious or critical violation, printing
 * every violation found (minor and moderate ones too, for the record). All of them are
 * attached to the test as JSON.
 */
export async function expectNoSeriousViolations(
  page: Page,
  what: string,
  scope: { include?: string; exclude?: string } = {},
): Promise<void> {
  await settled(page)
  let builder = new AxeBuilder({ page })
  if (scope.include) builder = builder.include(scope.include)
  if (scope.exclude) builder = builder.exclude(scope.exclude)
  const results = await builder.analyze()
  const all = results.violations
  await test.info().attach(`axe ${what}.json`, {
    body: JSON.stringify(all, null, 2),
    contentType: 'application/json',
  })
  const blocking = all.filter((v) => v.impact === 'serious' || v.impact === 'critical')
  if (blocking.length > 0) console.log(`axe, ${what}:\n${describe(all)}`)
  expect(blocking, `axe on ${what}: serious or critical violations\n${describe(all)}`).toEqual([])
}
