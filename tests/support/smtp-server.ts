import type { AddressInfo } from 'node:net'
import { simpleParser } from 'mailparser'
import { SMTPServer } from 'smtp-server'

/** A message as the server received it: the envelope and the raw RFC 5322 text. */
export interface ReceivedMail {
  from: string
  to: string[]
  raw: string
}

export interface TestSmtpServer {
  /** smtp://127.0.0.1:port, for SMTP_URL. */
  url: string
  received: ReceivedMail[]
  close(): Promise<void>
}

/**
 * A real SMTP server in process (the `smtp-server` package): it speaks the protocol, keeps what it receives,
 * refuses `gone@…` permanently (550) and `busy@…` for now (451), so delivery failures can be tested too.
 */
export async function startSmtpServer(): Promise<TestSmtpServer> {
  const received: ReceivedMail[] = []
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      const refusal = refusalFor(address.address)
      callback(refusal ?? undefined)
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        })
        callback()
      })
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.server.address() as AddressInfo).port
  return {
    received,
    url: `smtp://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

function refusalFor(address: string): Error | null {
  if (address.startsWith('gone@'))
    return Object.assign(new Error('5.1.1 mailbox unavailable'), { responseCode: 550 })
  if (address.startsWith('busy@'))
    return Object.assign(new Error('4.2.1 try again later'), { responseCode: 451 })
  return null
}

/** A received message parsed as a mail client would (MIME parts decoded), with the links of its text part. */
export interface ReadMail {
  to: string[]
  subject: string
  text: string
  html: string
  headers: Map<string, unknown>
  /** Every http(s) address in the text part, in order. */
  links: string[]
}

export async function readMail(message: ReceivedMail): Promise<ReadMail> {
  const parsed = await simpleParser(message.raw)
  const text = parsed.text ?? ''
  return {
    to: message.to,
    subject: parsed.subject ?? '',
    text,
    html: typeof parsed.html === 'string' ? parsed.html : '',
    headers: parsed.headers,
    links: text.match(/https?:\/\/[^\s<>"]+/g) ?? [],
  }
}

/**
 * Waits for the next message to `address` after the `seen` first ones already received (mail is sent after the
 * response in some flows), and reads it.
 */
export async function nextMailTo(
  server: TestSmtpServer,
  address: string,
  {
    seen = 0,
    timeoutMs = 10_000,
    matching = () => true,
  }: {
    seen?: number
    timeoutMs?: number
    /** Only messages of one kind count (e.g. digests, not the confirmation link every member got). */
    matching?: (message: ReceivedMail) => boolean
  } = {},
): Promise<ReadMail> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const messages = server.received.filter((message) => message.to.includes(address) && matching(message))
    const next = messages[seen]
    if (next) return readMail(next)
    if (Date.now() > deadline) throw new Error(`no message #${seen + 1} to ${address} within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

/** Whether a received message's header carries the field `name` (e.g. a digest's `List-Unsubscribe-Post`). */
export function carriesHeader(name: string): (message: ReceivedMail) => boolean {
  const field = new RegExp(`^${name}:`, 'im')
  return (message) => field.test(message.raw.split(/\r?\n\r?\n/)[0] ?? '')
}
