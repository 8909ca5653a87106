import { randomUUID } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import nodemailer, { type SendMailOptions } from 'nodemailer'

/** One message to one person: the text part always, the HTML part when the message has one. */
export interface OutgoingMail {
  to: string
  subject: string
  text: string
  html?: string
  /** Extra header fields, such as List-Unsubscribe and List-Unsubscribe-Post (RFC 8058). */
  headers?: Record<string, string>
}

/** Where a message went: the Message-ID it carries, and the .eml file when it was written instead of sent. */
export interface SentMail {
  messageId: string
  file?: string
}

export interface Mailer {
  /** Sends one message; a refusal or a failure to reach the server throws a MailDeliveryError. */
  send(mail: OutgoingMail): Promise<SentMail>
  close(): void
}

/**
 * A message that did not leave. `permanent` is a 5xx answer of the receiving server (the address does not
 * exist, the mailbox is disabled): trying again will not help, and repeated ones stop mail to that address.
 * Anything else (a 4xx, the server unreachable, a timeout) may pass on a later attempt.
 */
export class MailDeliveryError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
    readonly responseCode?: number,
  ) {
    super(message)
    this.name = 'MailDeliveryError'
  }
}

export interface MailerOptions {
  /** smtp://user:pass@host:port or smtps://…; absent: every message is written as an .eml file under mailDir. */
  smtpUrl?: string
  /** The From address, e.g. `Quartiere <no-reply@quartiere.example>`. */
  from: string
  /** Where messages go when there is no SMTP server (DATA_DIR/mail). */
  mailDir: string
  /** One line per message written to a file, with its path, so a developer can open what was sent. */
  log?: (line: string, details: Record<string, unknown>) => void
  /** Seconds an SMTP connection, greeting or socket may stay silent before the send fails (transient). */
  timeoutSeconds?: number
}

export function createMailer(options: MailerOptions): Mailer {
  return options.smtpUrl ? smtpMailer(options, options.smtpUrl) : fileMailer(options)
}

function smtpMailer(options: MailerOptions, smtpUrl: string): Mailer {
  const timeout = (options.timeoutSeconds ?? 30) * 1000
  const url = new URL(smtpUrl)
  const secure = url.protocol === 'smtps:'
  const transport = nodemailer.createTransport({
    host: url.hostname,
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    secure,
    ...(url.username
      ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } }
      : {}),
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
  })
  return {
    async send(mail) {
      try {
        const info = await transport.sendMail(message(options.from, mail))
        return { messageId: info.messageId }
      } catch (error) {
        throw deliveryError(error)
      }
    },
    close() {
      transport.close()
    },
  }
}

/**
 * The embedded default: the message is built exactly as it would be sent (RFC 5322, MIME parts, headers) and
 * written to a file instead, so `pnpm start` works with nothing installed.
 */
function fileMailer(options: MailerOptions): Mailer {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' })
  return {
    async send(mail) {
      const info = await transport.sendMail(message(options.from, mail))
      await mkdir(options.mailDir, { recursive: true })
      // Sortable by time, unique across instances writing to the same directory.
      const file = join(
        options.mailDir,
        `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID()}.eml`,
      )
      await writeFile(file, info.message as Buffer, { mode: 0o600 })
      options.log?.(`mail written to ${file}`, { to: mail.to, subject: mail.subject, file })
      return { messageId: info.messageId, file }
    },
    close() {
      transport.close()
    },
  }
}

function message(from: string, mail: OutgoingMail): SendMailOptions {
  return {
    from,
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    ...(mail.html ? { html: mail.html } : {}),
    ...(mail.headers ? { headers: mail.headers } : {}),
  }
}

function deliveryError(error: unknown): MailDeliveryError {
  const responseCode = (error as { responseCode?: unknown }).responseCode
  const code = typeof responseCode === 'number' ? responseCode : undefined
  const text = error instanceof Error ? error.message : String(error)
  return new MailDeliveryError(text, code !== undefined && code >= 500 && code < 600, code)
}
