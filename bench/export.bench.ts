import { performance } from 'node:perf_hooks'
import { startApiServer } from './lib/api-server'
import { benchDatabaseUrlDefault, prepareBenchDatabase } from './lib/bench-database'
import { positiveIntegerEnv } from './lib/env'
import { machineInfo } from './lib/machine'
import { rssMiB } from './lib/peak-rss'

const formats = ['geojson', 'csv', 'fgb'] as const

/**
 * Downloads every public entity as GeoJSON, CSV and FlatGeobuf, each from a fresh API process, reading the body
 * as it streams and throwing it away. Reports features/s and the server's peak RSS against its RSS before the
 * export: a streamed export keeps it flat whatever the row count.
 */
export async function exportBench(): Promise<void> {
  const databaseUrl = process.env.BENCH_DATABASE_URL || benchDatabaseUrlDefault
  const entities = positiveIntegerEnv('BENCH_ENTITIES', 1_000_000)
  const { live } = await prepareBenchDatabase(databaseUrl, entities)
  const rows: string[] = []
  let worstGrowthMiB = 0
  for (const format of formats) {
    const server = await startApiServer(databaseUrl)
    try {
      const before = rssMiB(server.pid)
      const startedMs = performance.now()
      const response = await fetch(`${server.baseUrl}/api/export/entities.${format}`)
      if (!response.ok || !response.body) throw new Error(`${format}: ${response.status}`)
      let bytes = 0
      let peakMiB = before.peakMiB
      let chunks = 0
      const reader = response.body.getReader()
      for (;;) {
        const { done, value: chunk } = await reader.read()
        if (done) break
        bytes += chunk.byteLength
        if (++chunks % 200 === 0) peakMiB = Math.max(peakMiB, rssMiB(server.pid).peakMiB)
      }
      const seconds = (performance.now() - startedMs) / 1000
      peakMiB = Math.max(peakMiB, rssMiB(server.pid).peakMiB)
      worstGrowthMiB = Math.max(worstGrowthMiB, peakMiB - before.currentMiB)
      rows.push(
        `  ${format.padEnd(8)}${(bytes / 1024 / 1024).toFixed(0).padStart(8)} MiB${seconds.toFixed(1).padStart(8)} s${Math.round(
          live / seconds,
        )
          .toLocaleString('en')
          .padStart(
            12,
          )} features/s   RSS before ${before.currentMiB.toFixed(0)} MiB, peak ${peakMiB.toFixed(0)} MiB`,
      )
    } finally {
      await server.stop()
    }
  }
  const machine = machineInfo()
  console.log(`
export: GET /api/export/entities.{geojson,csv,fgb}, whole database, one fresh API process per format
  data       ${live.toLocaleString('en')} live entities
  machine    ${machine.cores} cores (${machine.cpuModel}), Node ${machine.node}; client, API and PostgreSQL share them
${rows.join('\n')}
  target peak RSS growth < 200 MiB (streamed, constant memory)   ${worstGrowthMiB < 200 ? 'PASS' : 'MISS'} (${worstGrowthMiB.toFixed(0)} MiB)
`)
}
