import { Component, type ReactNode } from 'react'
import { useI18n } from '../i18n/i18n'

/**
 * What the app shows instead of a blank page when rendering fails: most often a screen whose code could not be
 * fetched (offline before the service worker kept it, or a new version published since this page was opened,
 * whose files replaced this version's). A reload fetches the current version; what the person typed is kept by
 * the offline queue, not by this page.
 */
export class LoadFailureBoundary extends Component<{ children: ReactNode }, { failed: boolean }> {
  override state = { failed: false }

  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true }
  }

  override componentDidCatch(error: unknown) {
    console.error('the app could not show this screen', error)
  }

  override render() {
    return this.state.failed ? <LoadFailure /> : this.props.children
  }
}

function LoadFailure() {
  const { t } = useI18n()
  return (
    <main className="load-failure" role="alert" data-testid="load-failure">
      <h1>{t('app.loadFailedTitle')}</h1>
      <p>{navigator.onLine ? t('app.loadFailedOnline') : t('app.loadFailedOffline')}</p>
      <button type="button" onClick={() => globalThis.location.reload()} data-testid="load-failure-reload">
        {t('app.reload')}
      </button>
    </main>
  )
}
