/// <reference lib="webworker" />
/**
 * Quartiere's service worker, served at /sw.js (root scope). Built by vite.config.ts (`serviceWorker()`) as its
 * own file: self-contained, no imports. The build replaces `__QUARTIERE_PRECACHE__` with the first visit's files
 * (index.html's scripts and styles, and MapLibre's worker) and `__QUARTIERE_VERSION__` with a hash of them.
 *
 * - The app shell is precached at install, so the app opens offline.
 * - Pages (navigations) are network-first: after a deploy the next load gets the new index.html, whose new
 *   hashed assets are fetched then; the cached shell answers only when the network does not. A new worker takes
 *   over at once (skipWaiting, clients.claim) and drops the old version's caches.
 * - Hashed assets are cache-first (their names change with their content).
 * - The map's things (`/api/entities?…`) are network-first with the last answers kept (a few areas), so the last
 *   area viewed shows its things offline. Nothing else of the API is cached.
 * - Push: `push` shows the notification the server sent (title, body, url); `notificationclick` focuses an open
 *   window of the app and navigates it, or opens one.
 */
declare const self: ServiceWorkerGlobalScope
declare const __QUARTIERE_PRECACHE__: string[]
/** The build's other scripts and stylesheets: the screens loaded on demand. */
declare const __QUARTIERE_ON_DEMAND__: string[]
declare const __QUARTIERE_VERSION__: string

const version = __QUARTIERE_VERSION__
const shellCache = `quartiere-shell-${version}`
const assetsCache = 'quartiere-assets'
const dataCache = 'quartiere-data'
/** Map pages kept for offline use: the last few areas viewed. */
const dataEntriesMax = 12
/** Hashed assets kept: this version's and the previous one's, roughly. */
const assetEntriesMax = 120

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(shellCache)
      await cache.addAll(['/', ...__QUARTIERE_PRECACHE__])
      // The screens loaded on demand too, into this version's shell (never trimmed, dropped with the version):
      // a screen first opened offline (the editor, to post from the street) must not blank the app. A failure
      // here only means fetching them later, online.
      await cache.addAll(__QUARTIERE_ON_DEMAND__).catch(() => undefined)
      await self.skipWaiting()
    })(),
  )
})

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys())
        if (name.startsWith('quartiere-shell-') && name !== shellCache) await caches.delete(name)
      await self.clients.claim()
    })(),
  )
})

self.addEventListener('fetch', (event) => {
  const request = event.request
  if (request.method !== 'GET') return
  const url = new URL(request.url)
  if (url.origin !== self.location.origin) return
  if (request.mode === 'navigate') {
    event.respondWith(page(request))
  } else if (url.pathname.startsWith('/assets/')) {
    event.respondWith(asset(request))
  } else if (url.pathname === '/api/entities') {
    event.respondWith(entities(request, event))
  }
})

async function page(request: Request): Promise<Response> {
  try {
    const response = await fetch(request)
    if (response.ok && response.headers.get('content-type')?.includes('text/html')) {
      const cache = await caches.open(shellCache)
      await cache.put('/', response.clone())
    }
    return response
  } catch (failure) {
    const cached = await caches.match('/', { cacheName: shellCache })
    if (cached) return cached
    throw failure
  }
}

async function asset(request: Request): Promise<Response> {
  const cached = await caches.match(request)
  if (cached) return cached
  const response = await fetch(request)
  if (response.ok) {
    const cache = await caches.open(assetsCache)
    await cache.put(request, response.clone())
    await trim(cache, assetEntriesMax)
  }
  return response
}

async function entities(request: Request, event: FetchEvent): Promise<Response> {
  const cache = await caches.open(dataCache)
  try {
    const response = await fetch(request)
    // Kept after the page has its answer, not before: writing a page of thousands of things to the cache
    // would otherwise delay the map on every visit the worker controls.
    if (response.ok)
      event.waitUntil(cache.put(request, response.clone()).then(() => trim(cache, dataEntriesMax)))
    return response
  } catch (failure) {
    const cached = await cache.match(request)
    if (cached) return cached
    throw failure
  }
}

/** Keeps the newest `max` entries of a cache (keys come back in insertion order). */
async function trim(cache: Cache, max: number) {
  const keys = await cache.keys()
  for (const key of keys.slice(0, Math.max(0, keys.length - max))) await cache.delete(key)
}

self.addEventListener('message', (event) => {
  // Signing out: the things a member saw (private ones included) do not stay on the device.
  if (event.data === 'quartiere:forget-data') event.waitUntil(caches.delete(dataCache))
})

interface PushMessage {
  title?: string
  body?: string
  url?: string
  tag?: string
  lang?: string
}

self.addEventListener('push', (event) => {
  let message: PushMessage = {}
  try {
    message = (event.data?.json() ?? {}) as PushMessage
  } catch {
    message = { body: event.data?.text() ?? '' }
  }
  event.waitUntil(
    self.registration.showNotification(message.title || 'Quartiere', {
      body: message.body ?? '',
      icon: '/icons/icon-192.png',
      badge: '/icons/icon-192.png',
      lang: message.lang ?? '',
      ...(message.tag ? { tag: message.tag } : {}),
      data: { url: sameOrigin(message.url) },
    }),
  )
})

/** Only a path of this site is opened: a push message never sends the member elsewhere. */
function sameOrigin(url: string | undefined): string {
  try {
    const target = new URL(url ?? '/', self.location.origin)
    return target.origin === self.location.origin ? target.pathname + target.search : '/'
  } catch {
    return '/'
  }
}

self.addEventListener('notificationclick', (event) => {
  event.notification.close()
  const path = sameOrigin((event.notification.data as { url?: string } | null)?.url)
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true })
      const open = windows.find((client) => new URL(client.url).origin === self.location.origin)
      if (open) {
        await open.focus()
        await open.navigate(path).catch(() => null)
        return
      }
      await self.clients.openWindow(path)
    })(),
  )
})

export {}
