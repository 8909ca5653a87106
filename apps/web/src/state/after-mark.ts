/**
 * Runs `run` once the page has set the performance mark `name` (the map sets `quartiere:first-features` and
 * `quartiere:view-loaded`), or `maxMs` from now if it never does (a page that is not the map), then when the
 * browser is idle: for work a first visit does not need, kept from competing with the map's first drawing.
 * Returns a function that cancels it.
 */
export function afterMark(name: string, maxMs: number, run: () => void): () => void {
  let done = false
  let cancelIdle: (() => void) | undefined
  const go = () => {
    if (done) return
    done = true
    observer?.disconnect()
    clearTimeout(timer)
    if (typeof window.requestIdleCallback === 'function') {
      const id = window.requestIdleCallback(run, { timeout: 5_000 })
      cancelIdle = () => window.cancelIdleCallback(id)
    } else {
      const id = setTimeout(run, 500)
      cancelIdle = () => clearTimeout(id)
    }
  }
  const timer = setTimeout(go, maxMs)
  const observer =
    'PerformanceObserver' in window
      ? new PerformanceObserver((list) => {
          if (list.getEntriesByName(name).length > 0) go()
        })
      : undefined
  observer?.observe({ type: 'mark', buffered: true })
  if (performance.getEntriesByName(name).length > 0) go()
  return () => {
    done = true
    observer?.disconnect()
    clearTimeout(timer)
    cancelIdle?.()
  }
}
