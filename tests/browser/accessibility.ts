import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { Page } from 'playwright-core'
import { expect } from 'vitest'

const require = createRequire(import.meta.url)
/**
 * axe-core's browser build, evaluated in the page under test through the DevTools protocol: our CSP refuses
 * inline and outside scripts, and the test must see the page under the policy it ships with.
 */
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8')

/** The rules the platform promises: WCAG 2.1 levels A and AA. */
const wcag21aa = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']

export interface A11yViolation {
  id: string
  impact: string | null
  help: string
  targets: string[]
}

/** Runs axe-core on what the page shows now and returns its serious and critical WCAG 2.1 AA violations. */
export async function seriousA11yViolations(page: Page): Promise<A11yViolation[]> {
  const loaded = await page.evaluate(() => 'axe' in window)
  if (!loaded) await page.evaluate(axeSource)
  return page.evaluate(async (tags) => {
    const axe = (
      window as unknown as { axe: { run(context: unknown, options: unknown): Promise<AxeResults> } }
    ).axe
    interface AxeResults {
      violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[]
    }
    const results = await axe.run(document, {
      runOnly: { type: 'tag', values: tags },
      resultTypes: ['violations'],
    })
    return results.violations
      .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
      .map((violation) => ({
        id: violation.id,
        impact: violation.impact,
        help: violation.help,
        targets: violation.nodes.map((node) => node.target.join(' ')),
      }))
  }, wcag21aa)
}

/** Fails the test with the list of serious or critical violations on the screen as it is now. */
export async function expectAccessible(page: Page, screen: string): Promise<void> {
  const violations = await seriousA11yViolations(page)
  expect(violations, `axe-core on ${screen}`).toEqual([])
}
