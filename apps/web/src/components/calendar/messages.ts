import { defineMessages } from '../../i18n/screen-messages'

export const calendarMessages = defineMessages(
  {
    download: 'Download the events in view (.ics)',
    subscribe: 'Subscribe in my calendar app',
    feedUrl: 'Address of the calendar feed of this area',
    feedHint:
      'Paste it into your calendar app (Google Calendar, Outlook, Thunderbird) to keep these events up to date.',
    addEvent: 'Add to my calendar (.ics)',
  },
  {
    download: 'Scarica gli eventi in vista (.ics)',
    subscribe: 'Iscriviti dalla mia app di calendario',
    feedUrl: 'Indirizzo del calendario di questa zona',
    feedHint:
      'Incollalo nella tua app di calendario (Google Calendar, Outlook, Thunderbird) per tenere aggiornati questi eventi.',
    addEvent: 'Aggiungi al mio calendario (.ics)',
  },
)
