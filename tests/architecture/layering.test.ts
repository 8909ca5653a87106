import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

/**
 * The layering rule of DESIGN.md, checked on the code itself rather than only written down:
 *
 *   apps/*  →  use cases across domains (personal-data)
 *           →  domain packages (auth, map, ledger, realtime, opendata, media, mail, push)  →  foundation (db, geo, contracts)
 *
 * - a package imports only workspace packages of a lower layer, or the few same-layer edges named below;
 * - no package imports fastify, a fastify plugin, or the websocket server: HTTP belongs to apps/api;
 * - the web client reaches the API only through @quartiere/contracts;
 * - every import is declared in the package's package.json, and every declared dependency is imported, so a
 *   package.json says what a package really needs.
 */

const repositoryRoot = resolve(import.meta.dirname, '../..')

type Layer = 'foundation' | 'domain' | 'use-case' | 'app'

const layers: Record<string, Layer> = {
  '@quartiere/contracts': 'foundation',
  '@quartiere/db': 'foundation',
  '@quartiere/geo': 'foundation',
  '@quartiere/auth': 'domain',
  '@quartiere/ledger': 'domain',
  '@quartiere/map': 'domain',
  '@quartiere/mail': 'domain',
  '@quartiere/media': 'domain',
  '@quartiere/opendata': 'domain',
  '@quartiere/realtime': 'domain',
  '@quartiere/push': 'domain',
  '@quartiere/personal-data': 'use-case',
  '@quartiere/digests': 'use-case',
  '@quartiere/api': 'app',
  '@quartiere/web': 'app',
}
const layerRank: Record<Layer, number> = { foundation: 0, domain: 1, 'use-case': 2, app: 3 }

/**
 * Same-layer imports that are part of the design: the domains write their changes to the realtime outbox in
 * their own transaction. Anything that needs several domains at once is a use case one layer up.
 */
const sameLayerEdges = new Set([
  '@quartiere/map → @quartiere/realtime',
  '@quartiere/ledger → @quartiere/realtime',
  // A member's export and erasure take in the digests' part (their mail standing and history) like a domain's.
  '@quartiere/personal-data → @quartiere/digests',
  // The push sender reads the relay's committed events (their type only).
  '@quartiere/push → @quartiere/realtime',
])

/** What HTTP and websocket serving is made of: only apps/api may import it. */
const httpModules = /^(fastify|@fastify\/.*|ws|fastify-plugin)$/

/** Imported by a package but provided by the workspace root (test and type tooling) or by Node itself. */
const providedByRoot = new Set(['vitest', 'fast-check', '@types/node'])
/** Declared for the build or the dev server, never imported from a source file. */
const declaredWithoutImport = new Set(['vite'])

/** `@types/pg` is used where `pg` is imported; `@types/react-dom` where `react-dom` is. */
function typesFor(declared: string): string | undefined {
  if (!declared.startsWith('@types/')) return undefined
  const name = declared.slice('@types/'.length)
  // DefinitelyTyped spells `@scope/name` as `scope__name`.
  return name.includes('__') ? `@${name.replace('__', '/')}` : name
}

interface WorkspacePackage {
  name: string
  directory: string
  dependencies: string[]
  devDependencies: string[]
  imports: Map<string, string[]>
}

const sourceExtensions = /\.(ts|tsx|mts)$/
// Static imports and re-exports, dynamic imports, and `require.resolve('…')`/`resolve('…')` of a package's files.
const importSpecifier =
  /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[^'"]*?\s+from\s+)?['"]([^'"]+)['"]|(?:import|resolve)\(\s*['"]([^'"]+)['"]\s*\)/gm

function sourceFiles(directory: string): string[] {
  const files: string[] = []
  for (const entry of readdirSync(directory)) {
    if (entry === 'node_modules' || entry === 'dist') continue
    const path = join(directory, entry)
    if (statSync(path).isDirectory()) files.push(...sourceFiles(path))
    else if (sourceExtensions.test(entry) && !entry.endsWith('.d.ts')) files.push(path)
  }
  return files
}

/** The package a bare specifier names: `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:'))
    return undefined
  const parts = specifier.split('/')
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]
}

function readWorkspacePackage(directory: string): WorkspacePackage {
  const manifest = JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')) as {
    name: string
    dependencies?: Record<string, string>
    devDependencies?: Record<string, string>
  }
  const imports = new Map<string, string[]>()
  const files = ['src', 'scripts'].flatMap((sub) => {
    try {
      return sourceFiles(join(directory, sub))
    } catch {
      return [] // a package without scripts/
    }
  })
  // The build's own configuration imports what the build needs (the web's vite.config.ts).
  const configFiles = readdirSync(directory).filter((entry) => /\.config\.(ts|mts)$/.test(entry))
  files.push(...configFiles.map((entry) => join(directory, entry)))
  for (const file of files) {
    const text = readFileSync(file, 'utf8')
    for (const match of text.matchAll(importSpecifier)) {
      const imported = packageOf(match[1] ?? match[2] ?? '')
      if (!imported) continue
      const where = imports.get(imported) ?? []
      where.push(relative(repositoryRoot, file))
      imports.set(imported, where)
    }
  }
  return {
    name: manifest.name,
    directory,
    dependencies: Object.keys(manifest.dependencies ?? {}),
    devDependencies: Object.keys(manifest.devDependencies ?? {}),
    imports,
  }
}

const workspacePackages = ['packages', 'apps'].flatMap((group) =>
  readdirSync(join(repositoryRoot, group))
    .map((entry) => join(repositoryRoot, group, entry))
    .filter((directory) => {
      try {
        return statSync(join(directory, 'package.json')).isFile()
      } catch {
        return false
      }
    })
    .map(readWorkspacePackage),
)

describe('the layering rule', () => {
  it('knows every workspace package and reads its imports', () => {
    expect(workspacePackages.map((p) => p.name).sort()).toEqual(Object.keys(layers).sort())
    for (const workspacePackage of workspacePackages) {
      // A package whose sources could not be read would pass every rule below without checking anything.
      expect(workspacePackage.imports.size, workspacePackage.name).toBeGreaterThan(0)
    }
  })

  it('imports workspace packages only downwards, or along the named same-layer edges', () => {
    const violations: string[] = []
    for (const from of workspacePackages) {
      const fromLayer = layers[from.name] as Layer
      for (const [imported, files] of from.imports) {
        const toLayer = layers[imported]
        if (!toLayer || imported === from.name) continue
        const downwards = layerRank[toLayer] < layerRank[fromLayer]
        if (!downwards && !sameLayerEdges.has(`${from.name} → ${imported}`)) {
          violations.push(`${from.name} imports ${imported} (${files[0]})`)
        }
      }
    }
    expect(violations).toEqual([])
  })

  it('keeps HTTP out of the domain and foundation packages', () => {
    const violations: string[] = []
    for (const from of workspacePackages) {
      if (from.name === '@quartiere/api') continue
      for (const [imported, files] of from.imports) {
        if (httpModules.test(imported)) violations.push(`${from.name} imports ${imported} (${files[0]})`)
      }
    }
    expect(violations).toEqual([])
  })

  it('lets the web client reach the API only through the contracts', () => {
    const web = workspacePackages.find((p) => p.name === '@quartiere/web')
    expect(web).toBeDefined()
    const workspaceImports = [...(web?.imports.keys() ?? [])].filter((name) => name in layers)
    expect(workspaceImports).toEqual(['@quartiere/contracts'])
  })

  it('declares every import in package.json', () => {
    const undeclared: string[] = []
    for (const from of workspacePackages) {
      const declared = new Set([...from.dependencies, ...from.devDependencies])
      for (const [imported, files] of from.imports) {
        if (imported === from.name || declared.has(imported) || providedByRoot.has(imported)) continue
        undeclared.push(`${from.name} imports ${imported} without declaring it (${files[0]})`)
      }
    }
    expect(undeclared).toEqual([])
  })

  it('imports every dependency it declares', () => {
    const unused: string[] = []
    for (const from of workspacePackages) {
      for (const declared of [...from.dependencies, ...from.devDependencies]) {
        const typed = typesFor(declared)
        if (from.imports.has(declared) || declaredWithoutImport.has(declared)) continue
        if (typed !== undefined && from.imports.has(typed)) continue
        unused.push(`${from.name} declares ${declared} but never imports it`)
      }
    }
    expect(unused).toEqual([])
  })
})
