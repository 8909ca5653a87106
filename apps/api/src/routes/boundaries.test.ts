import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const routesDir = dirname(fileURLToPath(import.meta.url))

/** The route modules and the helpers beside them, without their tests. */
const sources = readdirSync(routesDir)
  .filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'))
  .map((name) => ({ name, text: readFileSync(join(routesDir, name), 'utf8') }))

/** What building SQL looks like: Kysely's query builders and its `sql` template, or the driver's `query`. */
const sqlPatterns = [
  /\bsql`/,
  /import\s*\{[^}]*\bsql\b[^}]*\}\s*from\s*'kysely'/,
  /\.(selectFrom|insertInto|updateTable|deleteFrom|replaceInto|mergeInto|with)\(/,
  /\.query\(\s*['"`]/,
]

describe('route modules', () => {
  it('are found', () => {
    expect(sources.map((s) => s.name)).toContain('posts.routes.ts')
  })

  it('build no SQL: queries belong to the domain packages', () => {
    const offenders = sources.flatMap(({ name, text }) =>
      sqlPatterns.filter((pattern) => pattern.test(text)).map((pattern) => `${name}: ${pattern}`),
    )
    expect(offenders).toEqual([])
  })

  it('import nothing from another route file: what they share lives in a helper module', () => {
    const offenders = sources.flatMap(({ name, text }) =>
      [...text.matchAll(/from\s+'(\.\/[^']+\.routes)'/g)].map((match) => `${name} imports ${match[1]}`),
    )
    expect(offenders).toEqual([])
  })
})
