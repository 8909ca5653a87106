import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { ApiClient } from './api/client'
import { App } from './app'
import type { Locale } from './i18n/dictionaries'
import { preferredLocale } from './i18n/i18n'
import { type KeyValueStorage, memoryStorage, SessionStore, sessionStorageKey } from './session/session'
import './styles.css'

const localeKey = 'quartiere.locale'

/** localStorage, or a memory stand-in where the browser refuses it (some private modes). */
function browserStorage(): KeyValueStorage {
  try {
    const probe = '__quartiere_probe__'
    window.localStorage.setItem(probe, probe)
    window.localStorage.removeItem(probe)
    return window.localStorage
  } catch {
    return memoryStorage()
  }
}

const storage = browserStorage()
const session = new SessionStore(storage)
const api = new ApiClient({ baseUrl: '', tokens: session })
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
