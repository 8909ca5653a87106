/**
 * Signing out on a shared computer: the service worker drops the map answers it kept for offline use (private
 * locations served exactly to their author among them). Best effort: without a worker nothing was kept.
 */
export function forgetCachedData(): void {
  if (typeof navigator === 'undefined' || !('serviceWorker' in navigator)) return
  navigator.serviceWorker
    .getRegistration('/')
    .then((registration) => {
      for (const worker of new Set([registration?.active, navigator.serviceWorker.controller]))
        worker?.postMessage('quartiere:forget-data')
    })
    .catch(() => undefined)
}
