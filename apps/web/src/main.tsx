import { EarlyRequests, firstPageUrl } from './api/prefetch'
import { registerServiceWorkerWhenIdle } from './service-worker'
import { browserStorage, readStoredSession, usableAccessToken } from './session/session'
import './styles.css'

// This entry is small on purpose: it sends the map's first page at once, while the browser is still fetching
// and compiling React, MapLibre and the app (a second of work on a slow machine), and then loads them. The
// server answers meanwhile, and the API client adopts the answer when the map asks for that very page.
const storage = browserStorage()
const early = new EarlyRequests()
const now = Date.now()
const stored = readStoredSession(storage, now)
const bearer = stored ? usableAccessToken(stored, now) : null
// A session whose access token must be refreshed first is left to the app, which refreshes before asking.
if (!stored || bearer)
  early.send(firstPageUrl('', window.location.search, window.innerWidth, window.innerHeight), bearer)

import('./boot')
  .then(({ boot }) => boot({ storage, prefetched: early.take }))
  .catch((failure: unknown) => {
    // The app's code could not be loaded (a dropped connection, a release replacing the files): say so.
    const root = document.getElementById('root')
    if (root) root.textContent = `Quartiere could not start: ${String(failure)}. Reload the page.`
  })

// Offline use and push: after the first screen, when the browser is idle.
registerServiceWorkerWhenIdle()
