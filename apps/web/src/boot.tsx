import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { ApiClient, type PrefetchedResponses } from './api/client'
import { App } from './app'
import type { Locale } from './i18n/dictionaries'
import { preferredLocale } from './i18n/i18n'
import { type KeyValueStorage, SessionStore, sessionStorageKey } from './session/session'

const localeKey = 'quartiere.locale'

/** Builds the session, the API client and the app, and renders it into #root (`main.tsx` loads this). */
export function boot({ storage, prefetched }: { storage: KeyValueStorage; prefetched: PrefetchedResponses }) {
  performance.mark('quartiere:app-start')
  const session = new SessionStore(storage)
  const api = new ApiClient({ baseUrl: '', tokens: session, prefetched })
  session.attach(api)
  // Another tab signed in, out, or refreshed the shared session.
  window.addEventListener('storage', (event) => {
    if (event.key === sessionStorageKey) session.adoptStored()
  })

  const initialLocale = preferredLocale(navigator.languages, storage.getItem(localeKey))
  const root = document.getElementById('root')
  if (!root) throw new Error('index.html has no #root')
  createRoot(root).render(
    <StrictMode>
      <App
        api={api}
        session={session}
        initialLocale={initialLocale}
        onLocaleChange={(locale: Locale) => storage.setItem(localeKey, locale)}
      />
    </StrictMode>,
  )
}
