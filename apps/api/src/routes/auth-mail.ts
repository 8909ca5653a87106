import type { IssuedEmailToken } from '@quartiere/auth'
import type { Mailer, OutgoingMail } from '@quartiere/mail'
import type { FastifyBaseLogger } from 'fastify'

/**
 * The messages of password recovery and address confirmation, in the member's language, and their sending
 * after the response: the request's timing must not depend on whether an address exists, nor on a mail server.
 */

/** Messages sent after their response and not yet delivered, at most; more are dropped and logged. */
export const mailsInFlightMax = 1000

type Kind = 'password_reset' | 'email_verification'

const texts = {
  en: {
    password_reset: {
      subject: 'Reset your Quartiere password',
      body: (name: string, link: string, minutes: number) =>
        `Hello ${name},\n\nsomeone (we hope you) asked to reset the password of your Quartiere account. ` +
        `Open this link to choose a new one:\n\n${link}\n\n` +
        `The link works once, for ${minutes} minutes. Choosing a new password signs you out everywhere.\n\n` +
        'If you did not ask for it, ignore this message: your password stays as it is.\n',
    },
    email_verification: {
      subject: 'Confirm your email address for Quartiere',
      body: (name: string, link: string, hours: number) =>
        `Hello ${name},\n\nplease confirm that this is your address by opening this link:\n\n${link}\n\n` +
        `The link works once, for ${Math.round(hours / 24)} days. Until your address is confirmed you can ` +
        'pay and be paid only small amounts.\n\nIf you did not make a Quartiere account, ignore this message.\n',
    },
  },
  it: {
    password_reset: {
      subject: 'Reimposta la password di Quartiere',
      body: (name: string, link: string, minutes: number) =>
        `Ciao ${name},\n\nqualcuno (speriamo tu) ha chiesto di reimpostare la password del tuo account ` +
        `Quartiere. Apri questo link per sceglierne una nuova:\n\n${link}\n\n` +
        `Il link funziona una sola volta, per ${minutes} minuti. Con la nuova password esci da ogni dispositivo.\n\n` +
        'Se non l’hai chiesto tu, ignora questo messaggio: la password resta com’è.\n',
    },
    email_verification: {
      subject: 'Conferma il tuo indirizzo email per Quartiere',
      body: (name: string, link: string, hours: number) =>
        `Ciao ${name},\n\nconferma che questo è il tuo indirizzo aprendo questo link:\n\n${link}\n\n` +
        `Il link funziona una sola volta, per ${Math.round(hours / 24)} giorni. Finché l’indirizzo non è ` +
        'confermato puoi pagare e ricevere solo piccole somme.\n\nSe non hai creato un account Quartiere, ' +
        'ignora questo messaggio.\n',
    },
  },
} as const

const pagePaths: Record<Kind, string> = {
  password_reset: '/reset-password',
  email_verification: '/verify-email',
}

/** The message carrying a link to the web page that uses the token; every link from `linkOrigin`. */
export function emailLinkMessage(
  kind: Kind,
  issued: IssuedEmailToken,
  { linkOrigin, ttlSeconds }: { linkOrigin: string; ttlSeconds: number },
): OutgoingMail {
  const link = `${linkOrigin}${pagePaths[kind]}?token=${encodeURIComponent(issued.token)}`
  const words = texts[issued.locale][kind]
  const amount = kind === 'password_reset' ? Math.round(ttlSeconds / 60) : Math.round(ttlSeconds / 3600)
  return { to: issued.email, subject: words.subject, text: words.body(issued.displayName, link, amount) }
}

/**
 * Sends messages in the background, after the response, logging a failure (without the address or the
 * token). `drain` waits for those still in flight (the app's close).
 */
export function backgroundMailer(mailer: Mailer, log: FastifyBaseLogger) {
  const inFlight = new Set<Promise<void>>()
  return {
    send(mail: OutgoingMail, what: string) {
      if (inFlight.size >= mailsInFlightMax) {
        log.error({ what }, 'too many messages waiting to be sent: one was dropped')
        return
      }
      const sending = mailer.send(mail).then(
        () => undefined,
        (error: unknown) => {
          log.error({ err: error, what }, 'sending a message failed')
        },
      )
      const tracked = sending.finally(() => inFlight.delete(tracked))
      inFlight.add(tracked)
    },
    async drain() {
      await Promise.allSettled([...inFlight])
    },
  }
}
