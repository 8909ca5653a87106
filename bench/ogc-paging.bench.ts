import { performance } from 'node:perf_hooks'
import { startApiServer } from './lib/api-server'
import { benchDatabaseUrlDefault, prepareBenchDatabase } from './lib/bench-database'
import { positiveIntegerEnv } from './lib/env'
import { machineInfo } from './lib/machine'

const pageLimit = 10_000

/**
 * GDAL's pattern: page through the whole `all` collection with limit=10000 by following `next` links. Keyset
 * paging makes every page an index seek, so the last page should cost what the first does (the reference
 * measured in the same run); OFFSET paging would make it grow with the page number.
 */
export async function ogcPaging(): Promise<void> {
  const databaseUrl = process.env.BENCH_DATABASE_URL || benchDatabaseUrlDefault
  const entities = positiveIntegerEnv('BENCH_ENTITIES', 1_000_000)
  const { live } = await prepareBenchDatabase(databaseUrl, entities)
  const server = await startApiServer(databaseUrl)
  try {
    const pageMs: number[] = []
    let features = 0
    let matched = 0
    let url: string | undefined = `${server.baseUrl}/ogc/collections/all/items?limit=${pageLimit}`
    const startedMs = performance.now()
    while (url) {
      const pageStartedMs = performance.now()
      const response = await fetch(url, { headers: { accept: 'application/geo+json' } })
      if (!response.ok)
        throw new Error(`page ${pageMs.length + 1}: ${response.status} ${await response.text()}`)
      const page = (await response.json()) as {
        numberMatched: number
        features: unknown[]
        links: { rel: string; href: string }[]
      }
      pageMs.push(performance.now() - pageStartedMs)
      matched = page.numberMatched
      features += page.features.length
      url = page.links.find((l) => l.rel === 'next')?.href
    }
    const totalMs = performance.now() - startedMs
    const first = pageMs[0]!
    // The first page also counts numberMatched; the second is the fair "early page" for a seek-only comparison.
    const second = pageMs[1] ?? first
    const lastFew = pageMs.slice(-5)
    const last = lastFew.reduce((a, b) => a + b, 0) / lastFew.length
    const firstFew = pageMs.slice(1, 6)
    const early = firstFew.reduce((a, b) => a + b, 0) / Math.max(1, firstFew.length)
    const machine = machineInfo()
    console.log(`
ogc-paging: GET /ogc/collections/all/items?limit=${pageLimit}, following rel=next to the end
  data       ${live.toLocaleString('en')} live entities; numberMatched ${matched.toLocaleString('en')}, read ${features.toLocaleString('en')} in ${pageMs.length} pages
  machine    ${machine.cores} cores (${machine.cpuModel}), Node ${machine.node}; the client, the API and PostgreSQL share them
  total      ${(totalMs / 1000).toFixed(1)} s, ${Math.round(features / (totalMs / 1000)).toLocaleString('en')} features/s
  page 1     ${first.toFixed(0)} ms (includes the count for numberMatched)   page 2 ${second.toFixed(0)} ms
  pages 2–6  mean ${early.toFixed(0)} ms      last 5 pages mean ${last.toFixed(0)} ms
  last / early page time: ${(last / early).toFixed(2)} (keyset paging: ≈ 1 whatever the depth)
  target last page within 1.5 × an early page   ${last <= early * 1.5 ? 'PASS' : 'MISS'}
  target all ${matched.toLocaleString('en')} features read once              ${features === matched ? 'PASS' : 'MISS'}
`)
  } finally {
    await server.stop()
  }
}
