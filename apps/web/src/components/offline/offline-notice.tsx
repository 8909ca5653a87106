import { useSyncExternalStore } from 'react'
import { useMessages } from '../../i18n/screen-messages'
import { offlineMessages } from './messages'

function subscribe(onChange: () => void) {
  window.addEventListener('online', onChange)
  window.addEventListener('offline', onChange)
  return () => {
    window.removeEventListener('online', onChange)
    window.removeEventListener('offline', onChange)
  }
}

const online = () => navigator.onLine
const onlineOnServer = () => true

/**
 * A line above the map while the browser is offline (navigator.onLine and its online/offline events): the map
 * shows what the service worker kept of the last area viewed, and says so. Gone as soon as the network is back.
 */
export function OfflineNotice() {
  const { m } = useMessages(offlineMessages)
  const isOnline = useSyncExternalStore(subscribe, online, onlineOnServer)
  if (isOnline) return null
  return (
    <p className="offline-notice" role="status" data-testid="offline-notice">
      {m('offline')}
    </p>
  )
}
