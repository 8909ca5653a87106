import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { everyDomainRefusal } from '../../apps/api/src/outcome-problems.samples'
import { dictionaries } from '../../apps/web/src/i18n/dictionaries'

const apiSource = join(import.meta.dirname, '../../apps/api/src')

/** Every `new ApiError(status, 'code', …)` a route or plugin of the API throws, with its status. */
function routeRefusals(): { code: string; status: number; file: string }[] {
  const found: { code: string; status: number; file: string }[] = []
  const visit = (directory: string) => {
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      const path = join(directory, entry.name)
      if (entry.isDirectory()) visit(path)
      else if (/\.ts$/.test(entry.name) && !/\.test\.ts$/.test(entry.name)) {
        for (const match of readFileSync(path, 'utf8').matchAll(/new ApiError\(\s*(\d{3}),\s*'([a-z_]+)'/g)) {
          found.push({ status: Number(match[1]), code: match[2] as string, file: entry.name })
        }
      }
    }
  }
  visit(apiSource)
  return found
}

/**
 * Codes a person never meets in the web client, because the client never asks what earns them: they answer
 * other programs (a malformed tile address, a websocket upgrade, an OGC filter a researcher writes, an address
 * that is no route, the page served before the client was built). The server's own English detail is shown if
 * one ever arrives.
 */
const notForPeople = new Set([
  'invalid_tile',
  'upgrade_required',
  'invalid_filter',
  'invalid_if_match',
  'route_not_found',
  'web_client_not_built',
])

describe('every refusal the API can give is worded for people in both languages', () => {
  const refusals = [
    ...everyDomainRefusal().map(({ union, problem }) => ({
      code: problem.code,
      status: problem.status,
      file: union,
    })),
    ...routeRefusals(),
  ].filter((refusal) => !notForPeople.has(refusal.code))

  it('finds the refusals (the scan itself works)', () => {
    expect(refusals.length).toBeGreaterThan(100)
    expect(refusals.map((refusal) => refusal.code)).toContain('file_too_large')
    expect(refusals.map((refusal) => refusal.code)).toContain('last_owner')
  })

  it('has a message for each code, in Italian and in English', () => {
    const missing = [...new Set(refusals.map((refusal) => refusal.code))].filter(
      (code) =>
        !Object.hasOwn(dictionaries.en, `problem.${code}`) ||
        !Object.hasOwn(dictionaries.it, `problem.${code}`),
    )
    expect(missing, 'add problem.<code> to apps/web/src/i18n/dictionaries.ts').toEqual([])
  })
})
