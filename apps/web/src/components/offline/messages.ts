import { defineMessages } from '../../i18n/screen-messages'

/** The map's offline line. */
export const offlineMessages = defineMessages(
  { offline: 'You are offline — showing the last area saved on this device.' },
  { offline: 'Sei offline: vedi l’ultima zona salvata su questo dispositivo.' },
)
