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
  const whenIdle = () => {
    if ('requestIdleCallback' in window) window.requestIdleCallback(register, { timeout: 5_000 })
    else setTimeout(register, 2_000)
  }
  const afterViewLoaded = () => {
    let done = false
    const go = () => {
      if (done) return
      done = true
      observer?.disconnect()
      clearTimeout(timer)
      whenIdle()
    }
    const timer = setTimeout(go, registrationDelayMaxMs)
    // The map marks `quartiere:view-loaded` when the view's things are all in (use-map-data.ts).
    const observer =
      'PerformanceObserver' in window
        ? new PerformanceObserver((list) => {
            if (list.getEntriesByName(viewLoadedMark).length > 0) go()
          })
        : undefined
    observer?.observe({ type: 'mark', buffered: true })
    if (performance.getEntriesByName(viewLoadedMark).length > 0) go()
  }
  if (document.readyState === 'complete') afterViewLoaded()
  else window.addEventListener('load', afterViewLoaded, { once: true })
}

const viewLoadedMark = 'quartiere:view-loaded'
/** A page that is not the map (or a map that never finishes) registers the worker this long after load. */
const registrationDelayMaxMs = 10_000
