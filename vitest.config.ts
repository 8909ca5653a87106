import { defineConfig } from 'vitest/config'

/**
 * Three projects: `unit` runs the pure tests beside the code once; `pglite` and `postgres` run every database
 * test (the `*.db.test.ts` files beside the code and everything in tests/) against each backend. Each
 * database project migrates a template once (tests/support/global-setup.ts) and gives every test file a
 * database of its own cloned from it.
 */
const databaseTests = ['tests/**/*.test.ts', 'packages/*/src/**/*.db.test.ts', 'apps/*/src/**/*.db.test.ts']

/** Tests in tests/ that read the code, not a database: they run once, in the unit project. */
const databaseFreeTests = ['tests/architecture/**']

const databaseProject = (backend: 'pglite' | 'postgres') => ({
  extends: true as const,
  test: {
    name: backend,
    include: databaseTests,
    // `*.pg.test.ts` prove what only a server can show (many processes on one database, crash recovery):
    // they belong to the PostgreSQL project alone rather than being skipped on the embedded one.
    // `*.browser.test.ts` drive Chromium against the API on the embedded database (with the demo data, served
    // as `pnpm start` serves it): they belong to the PGlite project alone.
    exclude:
      backend === 'pglite'
        ? ['**/node_modules/**', '**/*.pg.test.ts', ...databaseFreeTests]
        : ['**/node_modules/**', '**/*.browser.test.ts', ...databaseFreeTests],
    env: { QUARTIERE_TEST_BACKEND: backend },
    globalSetup: ['tests/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
})

export default defineConfig({
  test: {
    // Two cores on the machines we build on; each database test file holds an embedded PostgreSQL in memory.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: [
            'packages/*/src/**/*.test.ts',
            'apps/*/src/**/*.test.ts',
            'tests/architecture/**/*.test.ts',
          ],
          exclude: ['**/*.db.test.ts', '**/node_modules/**'],
        },
      },
      databaseProject('pglite'),
      databaseProject('postgres'),
    ],
  },
})
