import { afterMark } from './state/after-mark'

/**
 * Registers the service worker (src/sw/sw.ts, built to /sw.js) once the first screen is done: after the map's
 * view has loaded (or, at the latest, `registrationDelayMaxMs` after the page's load event) and then when the
 * browser is idle, so that its install (which fetches the app shell and every screen's code to precache them)
 * never competes with the map's first drawing or the view's pages. Production builds only: the dev server has
 * no /sw.js. A browser without service workers simply goes without offline use and push.
 */
export function registerServiceWorkerWhenIdle(): void {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return
  const register = () => {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => {
      // No offline use this time (a private window, a policy): the app works as before.
    })
  }
  const afterViewLoaded = () => afterMark('quartiere:view-loaded', registrationDelayMaxMs, register)
  if (document.readyState === 'complete') afterViewLoaded()
  else window.addEventListener('load', afterViewLoaded, { once: true })
}

/** A page that is not the map (or a map that never finishes) registers the worker this long after load. */
const registrationDelayMaxMs = 10_000
