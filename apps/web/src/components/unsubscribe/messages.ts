import { defineMessages } from '../../i18n/screen-messages'

/** The unsubscribe page: where a digest's "stop these digests" link leads. */
export const unsubscribeMessages = defineMessages(
  {
    title: 'Stop the email digests',
    intro:
      'You opened the link at the bottom of a Quartiere digest. Confirm, and no more digests will be sent to this address. Nothing else changes: your account and what you follow stay as they are.',
    confirm: 'Stop the digests',
    done: 'Done: you will get no more digests. You can turn them on again on your account page at any time.',
    noToken:
      'This link is incomplete: it has no code. Open the link from the email again, or log in and change your digests on your account page.',
    account: 'Open my account page',
  },
  {
    title: 'Disattiva i riepiloghi via email',
    intro:
      'Hai aperto il link in fondo a un riepilogo di Quartiere. Conferma e non invieremo più riepiloghi a questo indirizzo. Non cambia nient’altro: il tuo account e ciò che segui restano come sono.',
    confirm: 'Disattiva i riepiloghi',
    done: 'Fatto: non riceverai più riepiloghi. Puoi riattivarli quando vuoi dalla pagina del tuo account.',
    noToken:
      'Questo link è incompleto: manca il codice. Riapri il link dall’email, oppure accedi e cambia i riepiloghi dalla pagina del tuo account.',
    account: 'Apri la pagina del mio account',
  },
)
