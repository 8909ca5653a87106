import { createHash } from 'node:crypto'
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { brotliCompressSync, gzipSync, constants as zlib } from 'node:zlib'
import react from '@vitejs/plugin-react'
import { defineConfig, type HtmlTagDescriptor, type Plugin, transformWithOxc } from 'vite'
import { appIconPng, themeColour } from './scripts/app-icons.ts'
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

/**
 * The page's entry is small (it sends the map's first page, then imports `src/boot.tsx`): the app's chunks
 * (React, MapLibre, the app) are named in the page as module preloads, and their styles as stylesheets, so
 * the browser fetches and compiles them while the entry runs instead of after it.
 */
function preloadBootChunks(): Plugin {
  return {
    name: 'quartiere-preload-boot',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(_html, context) {
        const bundle = context.bundle
        if (!bundle) return []
        const chunks = Object.values(bundle).filter((output) => output.type === 'chunk')
        const boot = chunks.find((chunk) => chunk.facadeModuleId?.endsWith('/src/boot.tsx'))
        if (!boot) throw new Error('preloadBootChunks: no chunk for src/boot.tsx')
        const entry = chunks.find((chunk) => chunk.isEntry)
        const already = new Set(entry ? [entry.fileName, ...entry.imports] : [])
        const files = new Set<string>()
        const visit = (fileName: string) => {
          if (files.has(fileName) || already.has(fileName)) return
          files.add(fileName)
          const chunk = bundle[fileName]
          if (chunk?.type === 'chunk') for (const imported of chunk.imports) visit(imported)
        }
        visit(boot.fileName)
        const styles = new Set<string>()
        for (const fileName of files) {
          const chunk = bundle[fileName]
          if (chunk?.type === 'chunk')
            for (const css of chunk.viteMetadata?.importedCss ?? []) styles.add(css)
        }
        // MapLibre's styles go first, as they did when the entry imported them: the app's own rules override.
        const link = (rel: string, fileName: string): HtmlTagDescriptor => ({
          tag: 'link',
          attrs: { rel, crossorigin: true, href: `/${fileName}` },
          injectTo: rel === 'stylesheet' ? 'head-prepend' : 'head',
        })
        return [
          ...[...styles].map((fileName) => link('stylesheet', fileName)),
          ...[...files].map((fileName) => link('modulepreload', fileName)),
        ]
      },
    },
  }
}

/** Text assets worth compressing; smaller ones cost more in a second file than they save on the wire. */
const compressible = /\.(js|css|json|svg|html)$/
const compressMinBytes = 1024

/**
 * Writes a brotli (.br, quality 11) and a gzip (.gz, level 9) copy of every text asset next to it, once at build
 * time, and the API serves the copy the browser accepts (routes/web.routes.ts). MapLibre alone is 1.1 MB of
 * JavaScript and 300 KiB gzipped: on a phone's connection that is most of the first visit.
 */
function precompressAssets(): Plugin {
  return {
    name: 'quartiere-precompress',
    apply: 'build',
    closeBundle() {
      const assets = join(here, 'dist', 'assets')
      for (const name of readdirSync(assets)) {
        if (!compressible.test(name)) continue
        const content = readFileSync(join(assets, name))
        if (content.length < compressMinBytes) continue
        writeFileSync(
          join(assets, `${name}.br`),
          brotliCompressSync(content, {
            params: {
              [zlib.BROTLI_PARAM_QUALITY]: zlib.BROTLI_MAX_QUALITY,
              [zlib.BROTLI_PARAM_SIZE_HINT]: content.length,
            },
          }),
        )
        writeFileSync(join(assets, `${name}.gz`), gzipSync(content, { level: 9 }))
      }
    },
  }
}

/**
 * The installable app and its service worker (issue #21): `manifest.webmanifest`, its icons (drawn at build time,
 * scripts/app-icons.ts) and `/sw.js`, compiled from src/sw/sw.ts on its own (no imports, no chunks shared with
 * the page) with the list of the first visit's files to precache: what index.html loads (the entry, its module
 * preloads and stylesheets) and MapLibre's worker; then every other script and stylesheet of the build. The version is a hash of that list and index.html, so a
 * deploy that changes the app changes sw.js, and browsers install the new worker.
 */
function serviceWorker(): Plugin {
  return {
    name: 'quartiere-service-worker',
    apply: 'build',
    generateBundle: {
      order: 'post',
      async handler(_options, bundle) {
        const html = bundle['index.html']
        if (html?.type !== 'asset') throw new Error('serviceWorker: no index.html in the bundle')
        const htmlText = String(html.source)
        const files = new Set([...htmlText.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!))
        for (const name of Object.keys(bundle))
          if (/^assets\/maplibre-gl-worker-[^/]+\.js$/.test(name)) files.add(`/${name}`)
        const precache = [...files].sort()
        // Every other script and stylesheet: the screens the page loads on demand (the editor, the placing tools,
        // the wallet…), fetched after the shell so that a screen first opened offline still opens.
        const onDemand = Object.keys(bundle)
          .filter((name) => /^assets\/[^/]+\.(js|css)$/.test(name) && !files.has(`/${name}`))
          .map((name) => `/${name}`)
          .sort()
        const version = createHash('sha256')
          .update(htmlText)
          .update(precache.join('\n'))
          .update(onDemand.join('\n'))
          .digest('hex')
          .slice(0, 16)
        const source = readFileSync(join(here, 'src', 'sw', 'sw.ts'), 'utf8')
        const compiled = await transformWithOxc(source, 'sw.ts', { lang: 'ts' })
        const code = `${compiled.code
          .replace(/^export \{\};?\s*$/m, '')
          .replaceAll('__QUARTIERE_PRECACHE__', JSON.stringify(precache))
          .replaceAll('__QUARTIERE_ON_DEMAND__', JSON.stringify(onDemand))
          .replaceAll('__QUARTIERE_VERSION__', JSON.stringify(version))}`
        this.emitFile({ type: 'asset', fileName: 'sw.js', source: code })
        this.emitFile({ type: 'asset', fileName: 'icons/icon-192.png', source: appIconPng(192, false) })
        this.emitFile({ type: 'asset', fileName: 'icons/icon-512.png', source: appIconPng(512, false) })
        this.emitFile({ type: 'asset', fileName: 'icons/maskable-512.png', source: appIconPng(512, true) })
        const manifest = {
          name: 'Quartiere',
          short_name: 'Quartiere',
          description: 'La mappa del quartiere, con il tempo e la banca del tempo.',
          lang: 'it',
          start_url: '/',
          scope: '/',
          display: 'standalone',
          theme_color: themeColour,
          background_color: '#ffffff',
          icons: [
            { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
            { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
            { src: '/icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
          ],
        }
        this.emitFile({
          type: 'asset',
          fileName: 'manifest.webmanifest',
          source: JSON.stringify(manifest, null, 2),
        })
      },
    },
  }
}

export default defineConfig({
  plugins: [fallbackBasemap(), react(), preloadBootChunks(), precompressAssets(), serviceWorker()],
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
        // releases, and make the size report say what is whose. Vite's preload helper, which the small entry
        // (main.tsx) and the app share, gets a file of its own: left to itself the bundler puts it into
        // MapLibre's chunk, and the entry would wait for MapLibre before sending the first page's request.
        codeSplitting: {
          groups: [
            { name: 'preload-helper', test: /preload-helper/ },
            { name: 'maplibre', test: /[\\/]node_modules[\\/].*maplibre/ },
            { name: 'react', test: /[\\/]node_modules[\\/](react|react-dom|scheduler)[\\/]/ },
            // The dashboard's chart library loads with the dashboard only, never with the first visit.
            { name: 'uplot', test: /[\\/]node_modules[\\/]uplot[\\/]/ },
            { name: 'vendor', test: /[\\/]node_modules[\\/]/ },
          ],
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
