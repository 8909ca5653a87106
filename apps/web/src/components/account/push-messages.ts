import { defineMessages } from '../../i18n/screen-messages'

/** The strings of the account page's "Notifications on this device" section. */
export const pushMessages = defineMessages(
  {
    title: 'Notifications on this device',
    hint: 'Get what arrives in your inbox (replies, news on what you follow) as notifications of this browser, even with the site closed. You choose for each device.',
    checking: 'Checking this browser…',
    stateOn: 'Notifications are on in this browser.',
    stateOff: 'Notifications are off in this browser.',
    turnOn: 'Turn on notifications',
    turnOff: 'Turn off notifications',
    turnedOn: 'Done: this browser will show your notifications.',
    turnedOff: 'Notifications are off in this browser.',
    unsupported:
      'This browser cannot receive notifications from a website (it has no service workers or push). Try a recent Firefox, Chrome, Edge or Safari; on an iPhone or iPad, add Quartiere to the Home Screen first and open it from there.',
    denied:
      'Notifications are blocked for this site in this browser. To allow them again, open the site’s settings (the icon beside the address), set Notifications to “Allow”, then reload this page and turn them on.',
    dismissed:
      'The browser did not get your permission. Choose “Turn on notifications” again and allow them.',
    failed: 'This browser could not turn on notifications: {reason}',
    otherDevices: 'Your other devices with notifications on',
    otherDevicesNone: 'No other device of yours has notifications on.',
    since: 'since {date}',
    remove: 'Turn off',
    removeLabel: 'Turn off notifications on {label}',
    removed: 'Notifications turned off on {label}.',
    unknownDevice: 'A browser',
    on: '{browser} on {system}',
  },
  {
    title: 'Notifiche su questo dispositivo',
    hint: 'Ricevi ciò che arriva nella tua casella (risposte, novità su ciò che segui) come notifiche di questo browser, anche a sito chiuso. Scegli dispositivo per dispositivo.',
    checking: 'Controllo questo browser…',
    stateOn: 'Le notifiche sono attive in questo browser.',
    stateOff: 'Le notifiche sono disattivate in questo browser.',
    turnOn: 'Attiva le notifiche',
    turnOff: 'Disattiva le notifiche',
    turnedOn: 'Fatto: questo browser mostrerà le tue notifiche.',
    turnedOff: 'Le notifiche sono disattivate in questo browser.',
    unsupported:
      'Questo browser non può ricevere notifiche da un sito (non ha service worker o push). Prova un Firefox, Chrome, Edge o Safari recente; su iPhone o iPad aggiungi prima Quartiere alla schermata Home e aprilo da lì.',
    denied:
      'Le notifiche di questo sito sono bloccate in questo browser. Per consentirle di nuovo apri le impostazioni del sito (l’icona accanto all’indirizzo), imposta Notifiche su “Consenti”, poi ricarica questa pagina e attivale.',
    dismissed:
      'Il browser non ha ricevuto il tuo permesso. Scegli di nuovo “Attiva le notifiche” e consentile.',
    failed: 'Questo browser non è riuscito ad attivare le notifiche: {reason}',
    otherDevices: 'Gli altri tuoi dispositivi con le notifiche attive',
    otherDevicesNone: 'Nessun altro tuo dispositivo ha le notifiche attive.',
    since: 'dal {date}',
    remove: 'Disattiva',
    removeLabel: 'Disattiva le notifiche su {label}',
    removed: 'Notifiche disattivate su {label}.',
    unknownDevice: 'Un browser',
    on: '{browser} su {system}',
  },
)
