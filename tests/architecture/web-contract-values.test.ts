import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'

const webSource = join(import.meta.dirname, '../../apps/web/src')

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name)
    if (entry.isDirectory()) return sourceFiles(path)
    return /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [path] : []
  })
}

/** The names an import statement brings in as values (not `type X`), by module. */
function valueImports(source: string): { module: string; names: string[] }[] {
  return [...source.matchAll(/import\s+(type\s+)?\{([^}]*)\}\s+from\s+'([^']+)'/g)]
    .filter((match) => !match[1])
    .map((match) => ({
      module: match[3] as string,
      names: (match[2] as string)
        .split(',')
        .map((name) => name.trim())
        .filter((name) => name && !name.startsWith('type ')),
    }))
}

/**
 * The web client takes values from the contracts only through the modules that import nothing
 * (`@quartiere/contracts/enums`, `@quartiere/contracts/community-limits`): the package's root brings the schema
 * library, 12 KiB gzip, into whichever chunk imports it. Types are free (erased at build).
 */
describe('the web client and the contracts', () => {
  const files = sourceFiles(webSource)

  it('reads the web client’s files (the scan itself works)', () => {
    expect(files.length).toBeGreaterThan(50)
    expect(valueImports("import { a, type B } from '@quartiere/contracts'")).toEqual([
      { module: '@quartiere/contracts', names: ['a'] },
    ])
  })

  it('imports no value from the contracts’ root', () => {
    const offending = files.flatMap((file) =>
      valueImports(readFileSync(file, 'utf8'))
        .filter((entry) => entry.module === '@quartiere/contracts' && entry.names.length > 0)
        .map((entry) => `${relative(webSource, file)}: ${entry.names.join(', ')}`),
    )
    expect(offending).toEqual([])
  })
})
