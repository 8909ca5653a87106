export type TestBackend = 'pglite' | 'postgres'

/** Which backend this test run is for, as the vitest project set it. */
export function testBackend(): TestBackend {
  const backend = process.env.QUARTIERE_TEST_BACKEND
  if (backend !== 'pglite' && backend !== 'postgres') {
    throw new Error('QUARTIERE_TEST_BACKEND must be pglite or postgres; run the tests with `pnpm test`')
  }
  return backend
}

/** The PostgreSQL server the postgres project uses; scripts/run-tests.mjs checks it answers before the run. */
export function testServerUrl(): string {
  return process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres'
}

/** The URL of another database on the same server. */
export function databaseUrlFor(name: string): string {
  const url = new URL(testServerUrl())
  url.pathname = `/${name}`
  return url.toString()
}
