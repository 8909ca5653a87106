import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import react from '@vitejs/plugin-react'
import { defineConfig, type Plugin } from 'vite'
import { readZipEntry } from './scripts/smp.ts'

const here = dirname(fileURLToPath(import.meta.url))
const generatedDir = join(here, '.generated')

/**
 * Unpacks the bundled offline basemap (@comapeo/fallback-smp) into .generated/fallback-style.json before the
 * build, where the client imports it with `?url`: it becomes one hashed asset, fetched only when the street
 * basemap cannot be reached, so it costs nothing on the normal path.
 */
function fallbackBasemap(): Plugin {
  return {
    name: 'quartiere-fallback-basemap',
    buildStart() {
      const smp = createRequire(import.meta.url).resolve('@comapeo/fallback-smp')
      const style = JSON.parse(readZipEntry(readFileSync(smp), 'style.json').toString('utf8')) as {
        name?: string
        center?: unknown
        zoom?: unknown
      }
      // The app positions the map itself; the package's own camera would only fight it.
      delete style.center
      delete style.zoom
      style.name = 'Quartiere offline fallback'
      mkdirSync(generatedDir, { recursive: true })
      writeFileSync(join(generatedDir, 'fallback-style.json'), JSON.stringify(style))
    },
  }
}

export default defineConfig({
  plugins: [fallbackBasemap(), react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The style is large JSON: never inline it into the bundle.
    assetsInlineLimit: 4096,
    chunkSizeWarningLimit: 1200,
    sourcemap: false,
    rollupOptions: {
      output: {
        // MapLibre and React change far less often than the app: separate files keep them cached across
        // releases, and make the size report say what is whose.
        manualChunks(id: string) {
          if (id.includes('/node_modules/')) {
            if (id.includes('maplibre')) return 'maplibre'
            if (/\/(react|react-dom|scheduler)\//.test(id)) return 'react'
            return 'vendor'
          }
          return undefined
        },
      },
    },
  },
  // MapLibre's worker is an ES module (it imports the code it shares with the page).
  worker: { format: 'es' },
  server: {
    // `pnpm --filter @quartiere/web dev` next to `pnpm dev`: the API on 3000 behind the dev server.
    proxy: { '/api': 'http://127.0.0.1:3000', '/ws': { target: 'ws://127.0.0.1:3000', ws: true } },
  },
})
