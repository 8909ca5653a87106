import { defineMessages } from '../../i18n/screen-messages'

export const limitsMessages = defineMessages(
  {
    title: 'Account limits',
    hint: 'Find a member, then change how far below zero each of their accounts may go, and how high it may rise. Limits bound future transfers: an account already past a new limit keeps it refused.',
    member: 'Member',
    none: 'This member has no account yet.',
    balance: 'Balance: {amount}',
    creditLine: 'Credit line (how far below zero; empty: no limit)',
    upperLimit: 'Upper limit (empty: none)',
    save: 'Save the limits of {currency}',
    saved: 'Limits of {currency} saved for {name}.',
    invalid: 'Write a number with at most {decimals} decimals, or leave it empty.',
    current: 'Now: credit line {lower}, upper limit {upper}',
    noLimit: 'none',
  },
  {
    title: 'Limiti dei conti',
    hint: 'Cerca un membro, poi cambia fin dove ciascun suo conto può scendere sotto zero e fin dove può salire. I limiti valgono per i trasferimenti futuri: un conto già oltre un nuovo limite lo vede rifiutato.',
    member: 'Membro',
    none: 'Questo membro non ha ancora conti.',
    balance: 'Saldo: {amount}',
    creditLine: 'Fido (quanto sotto zero; vuoto: nessun limite)',
    upperLimit: 'Limite superiore (vuoto: nessuno)',
    save: 'Salva i limiti di {currency}',
    saved: 'Limiti di {currency} salvati per {name}.',
    invalid: 'Scrivi un numero con al massimo {decimals} decimali, o lascia vuoto.',
    current: 'Ora: fido {lower}, limite superiore {upper}',
    noLimit: 'nessuno',
  },
)
