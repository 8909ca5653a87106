/**
 * Registers the service worker (src/sw/sw.ts, built to /sw.js) once the first screen is done: after the page's
 * load event and then when the browser is idle, so that its install (which fetches the app shell again to
 * precache it) never competes with the map's first drawing. Production builds only: the dev server has no
 * /sw.js. A browser without service workers simply goes without offline use and push.
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
  if (document.readyState === 'complete') whenIdle()
  else window.addEventListener('load', whenIdle, { once: true })
}
