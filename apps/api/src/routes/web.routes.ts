import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { ApiError } from '../problem'

/** Where `vite build` writes the web client (apps/web/dist), seen from this file. */
export const webDistDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../../web/dist')

/**
 * Paths that belong to the API and its machine clients. The client's fallback never answers under them, so a
 * mistyped API URL still gets a problem+json 404 rather than an HTML page.
 */
const serverPrefixes = ['/api', '/ogc', '/tiles', '/ws', '/openapi.json', '/health', '/assets', '/media']

/** Hashed file names never change content: a year, immutable. index.html must be revalidated every time. */
const immutableCache = 'public, max-age=31536000, immutable'
const noCache = 'no-cache'
/** The app's icons (apps/web/vite.config.ts draws them). */
const appIcons = new Set(['icon-192.png', 'icon-512.png', 'maskable-512.png'])

/**
 * Serves the built web client at `/`: the hashed assets with long-lived caching, index.html with no-cache, and
 * index.html again for the client's own routes (`/wallet`, `/?c=…` deep links) so a shared link or a reload
 * lands in the app. Registered last in app.ts; its `/*` catch-all is only picked by the router when no more
 * specific route (an API route, `/tiles/…`) matches, and it hands API-looking paths back to the 404 handler.
 */
export function webRoutes(distDir = webDistDir) {
  return async (app: FastifyInstance) => {
    const indexFile = join(distDir, 'index.html')
    if (!existsSync(indexFile)) {
      // The API works without the client (tests, headless deployments); say how to get it instead of a 404.
      app.get('/', { schema: { hide: true } }, async () => {
        throw new ApiError(
          503,
          'web_client_not_built',
          'the web client is not built: run `pnpm build` (pnpm start builds it when it is missing)',
        )
      })
      return
    }
    const assetsDir = join(distDir, 'assets')
    // Only /assets/ is a wildcard (a rebuilt client is served without a restart); it cannot shadow the API.
    await app.register(fastifyStatic, {
      root: assetsDir,
      prefix: '/assets/',
      wildcard: true,
      index: false,
      cacheControl: false,
      // The build writes .br and .gz copies of the text assets (apps/web/vite.config.ts): sent to browsers
      // that accept them, with Vary: Accept-Encoding.
      preCompressed: true,
      etag: true,
      lastModified: true,
      // Only the hashed assets: the same plugin sends index.html, sw.js and the manifest, which must not be.
      setHeaders(reply, path) {
        if (path.startsWith(assetsDir)) reply.header('cache-control', immutableCache)
      },
    })
    // Framing, referrer and sniffing rules and the content security policy come from plugins/browser-policy.ts.
    const sendIndex = (_request: FastifyRequest, reply: FastifyReply) => {
      return reply.header('cache-control', noCache).sendFile('index.html', distDir)
    }
    app.get('/', { schema: { hide: true } }, sendIndex)
    // The installable app (issue #21): the service worker at the root scope, revalidated on every check so a
    // deploy reaches browsers at once; the manifest likewise; the icons for a day.
    app.get('/sw.js', { schema: { hide: true } }, (_request, reply) =>
      reply
        .header('cache-control', noCache)
        .header('service-worker-allowed', '/')
        .type('text/javascript; charset=utf-8')
        .sendFile('sw.js', distDir),
    )
    app.get('/manifest.webmanifest', { schema: { hide: true } }, (_request, reply) =>
      reply
        .header('cache-control', noCache)
        .type('application/manifest+json')
        .sendFile('manifest.webmanifest', distDir),
    )
    app.get<{ Params: { name: string } }>('/icons/:name', { schema: { hide: true } }, (request, reply) => {
      if (!appIcons.has(request.params.name)) return reply.callNotFound()
      return reply
        .header('cache-control', 'public, max-age=86400')
        .sendFile(request.params.name, join(distDir, 'icons'))
    })
    app.get('/*', { schema: { hide: true } }, (request, reply) => {
      const path = request.url.split('?')[0] ?? '/'
      const isServerPath = serverPrefixes.some((prefix) => path === prefix || path.startsWith(`${prefix}/`))
      // A file-like path (favicon.png, a stale hashed asset) or a non-HTML client gets the ordinary 404.
      const wantsHtml = (request.headers.accept ?? '').includes('text/html')
      if (isServerPath || !wantsHtml || /\.[a-z0-9]{1,8}$/i.test(path)) return reply.callNotFound()
      return sendIndex(request, reply)
    })
  }
}
