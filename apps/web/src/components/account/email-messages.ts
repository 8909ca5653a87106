import { defineMessages } from '../../i18n/screen-messages'

/** The account page's Email section. */
export const emailMessages = defineMessages(
  {
    title: 'Email',
    digest: 'Digest by email',
    digestHint:
      'A digest tells you what happened on the things and groups you follow (new posts and comments) and lists your unread notifications since the last one. Nothing is sent when there is nothing new. Every digest has a link to stop them in one click.',
    none: 'No digests',
    daily: 'Daily, in the morning',
    weekly: 'Weekly, on Monday morning',
    save: 'Save',
    saved: 'Saved: {choice}.',
    active: 'Mail to your address is delivered normally.',
    lastDelivered: 'Last message delivered: {date}.',
    lastFailure: 'The last message could not be delivered ({date}): {reason}',
    suspended:
      'We stopped sending email to your address on {date}: it was refused {count} times in a row. Check your address in your mail provider, then try again.',
    resume: 'I fixed my address, try again',
    resumed: 'Mail to your address starts again.',
    loading: 'Loading…',
  },
  {
    title: 'Email',
    digest: 'Riepilogo via email',
    digestHint:
      'Il riepilogo ti dice cosa è successo sugli elementi e sui gruppi che segui (nuovi post e commenti) ed elenca le notifiche non lette dall’ultimo invio. Se non c’è nulla di nuovo non arriva niente. Ogni riepilogo ha un link per disattivarli con un clic.',
    none: 'Nessun riepilogo',
    daily: 'Ogni giorno, al mattino',
    weekly: 'Ogni settimana, il lunedì mattina',
    save: 'Salva',
    saved: 'Salvato: {choice}.',
    active: 'Le email al tuo indirizzo vengono consegnate normalmente.',
    lastDelivered: 'Ultimo messaggio consegnato: {date}.',
    lastFailure: 'L’ultimo messaggio non è stato consegnato ({date}): {reason}',
    suspended:
      'Dal {date} non inviamo più email al tuo indirizzo: è stato rifiutato {count} volte di seguito. Controlla il tuo indirizzo presso il tuo fornitore di posta, poi riprova.',
    resume: 'Ho sistemato il mio indirizzo, riprova',
    resumed: 'Le email al tuo indirizzo ripartono.',
    loading: 'Caricamento…',
  },
)
