import { performance } from 'node:perf_hooks'
import { type Database, openDatabase } from '@quartiere/db'
import { syntheticArea } from '@quartiere/map/seed'
import { mvtSql } from '@quartiere/opendata'
import pg from 'pg'
import { startApiServer } from './lib/api-server'
import { benchDatabaseUrlDefault, prepareBenchDatabase } from './lib/bench-database'
import { positiveIntegerEnv } from './lib/env'
import { machineInfo } from './lib/machine'
import { mulberry32 } from './lib/prng'
import { LatencyRecorder, type PhaseSummary } from './lib/stats'

const prngSeed = 20_240_105
const zooms = [12, 13, 14, 15, 16] as const
/** Distinct tiles per zoom: fewer where a tile holds tens of thousands of points. */
const tilesPerZoom: Record<number, number> = { 12: 8, 13: 16, 14: 32, 15: 48, 16: 64 }

/** The XYZ tile holding a point (web mercator, y down). */
function lonLatToTile(lon: number, lat: number, z: number) {
  const n = 2 ** z
  const rad = (lat * Math.PI) / 180
  const x = Math.floor(((lon + 180) / 360) * n)
  const y = Math.floor(((1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2) * n)
  return { z, x, y }
}

function pickTiles(): { z: number; x: number; y: number }[] {
  const random = mulberry32(prngSeed)
  const tiles: { z: number; x: number; y: number }[] = []
  for (const z of zooms) {
    const seen = new Set<string>()
    for (let i = 0; seen.size < tilesPerZoom[z]! && i < 10_000; i++) {
      const lon = syntheticArea.minLon + random() * (syntheticArea.maxLon - syntheticArea.minLon)
      const lat = syntheticArea.minLat + random() * (syntheticArea.maxLat - syntheticArea.minLat)
      const tile = lonLatToTile(lon, lat, z)
      const key = `${tile.z}/${tile.x}/${tile.y}`
      if (!seen.has(key)) {
        seen.add(key)
        tiles.push(tile)
      }
    }
  }
  return tiles
}

/**
 * Tiles z12–z16 over the synthetic million, one at a time: the API cold (nothing cached), the same ST_AsMVT SQL
 * run raw through pg, and the API warm (every tile from the cache, revalidated by nobody).
 */
export async function tiles(): Promise<void> {
  const databaseUrl = process.env.BENCH_DATABASE_URL || benchDatabaseUrlDefault
  const entities = positiveIntegerEnv('BENCH_ENTITIES', 1_000_000)
  const { live } = await prepareBenchDatabase(databaseUrl, entities)
  const list = pickTiles()
  const database: Database = await openDatabase({ databaseUrl })
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  const server = await startApiServer(databaseUrl)
  try {
    const results: { z: number; raw: PhaseSummary; cold: PhaseSummary; warm: PhaseSummary; bytes: number }[] =
      []
    for (const z of zooms) {
      const at = list.filter((t) => t.z === z)
      const compiled = at.map((t) => mvtSql({ ...t, filters: {} }).compile(database.db))
      const raw = new LatencyRecorder()
      let startedMs = performance.now()
      for (const query of compiled) {
        const queryStartedMs = performance.now()
        await client.query(query.sql, query.parameters as unknown[])
        raw.record(performance.now() - queryStartedMs)
      }
      const rawSummary = raw.summarise(performance.now() - startedMs)
      const fetchAll = async () => {
        const recorder = new LatencyRecorder()
        let bytes = 0
        const phaseStartedMs = performance.now()
        for (const t of at) {
          const requestStartedMs = performance.now()
          const response = await fetch(`${server.baseUrl}/tiles/${t.z}/${t.x}/${t.y}.mvt`)
          bytes += (await response.arrayBuffer()).byteLength
          if (response.status !== 200 && response.status !== 204)
            throw new Error(`tile ${t.z}/${t.x}/${t.y}: ${response.status}`)
          recorder.record(performance.now() - requestStartedMs)
        }
        return { summary: recorder.summarise(performance.now() - phaseStartedMs), bytes }
      }
      const cold = await fetchAll()
      startedMs = performance.now()
      const warm = await fetchAll()
      results.push({
        z,
        raw: rawSummary,
        cold: cold.summary,
        warm: warm.summary,
        bytes: cold.bytes / at.length,
      })
    }
    const machine = machineInfo()
    const ms = (v: number) => v.toFixed(1).padStart(8)
    const rate = (v: number) => v.toFixed(1).padStart(9)
    console.log(`
tiles: GET /tiles/{z}/{x}/{y}.mvt (PostgreSQL: ST_AsMVT) against the same SQL through pg, one request at a time
  data       ${live.toLocaleString('en')} live entities; tiles picked with PRNG seed ${prngSeed} over the synthetic area
  machine    ${machine.cores} cores (${machine.cpuModel}), Node ${machine.node}; client, API and PostgreSQL share them

   z  tiles  avg KiB     raw SQL tiles/s  p95 ms   API cold tiles/s  p95 ms   API warm tiles/s  p95 ms   cold/raw  warm/raw`)
    for (const r of results) {
      console.log(
        `  ${String(r.z).padStart(2)}  ${String(r.raw.count).padStart(5)}  ${(r.bytes / 1024).toFixed(1).padStart(7)}  ${rate(r.raw.perSecond)}       ${ms(r.raw.p95Ms)}  ${rate(r.cold.perSecond)}        ${ms(r.cold.p95Ms)}  ${rate(r.warm.perSecond)}        ${ms(r.warm.p95Ms)}   ${(r.cold.perSecond / r.raw.perSecond).toFixed(2).padStart(6)}  ${(r.warm.perSecond / r.raw.perSecond).toFixed(1).padStart(8)}`,
      )
    }
    const coldRatio = results.reduce((n, r) => n + r.cold.perSecond / r.raw.perSecond, 0) / results.length
    const warmRatio = results.reduce((n, r) => n + r.warm.perSecond / r.raw.perSecond, 0) / results.length
    console.log(`
  mean cold / raw ${coldRatio.toFixed(2)}   target ≥ 0.8   ${coldRatio >= 0.8 ? 'PASS' : 'MISS'}
  mean warm / raw ${warmRatio.toFixed(1)}   target > 1     ${warmRatio > 1 ? 'PASS' : 'MISS'}
`)
  } finally {
    await server.stop()
    await client.end()
    await database.close()
  }
}
