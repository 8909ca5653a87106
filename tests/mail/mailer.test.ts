import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createMailer, MailDeliveryError } from '@quartiere/mail'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readMail, startSmtpServer, type TestSmtpServer } from '../support/smtp-server'

describe('mailer over SMTP', () => {
  let smtp: TestSmtpServer
  beforeAll(async () => {
    smtp = await startSmtpServer()
  })
  afterAll(async () => {
    await smtp.close()
  })

  it('delivers a text and HTML message with its headers', async () => {
    const mailer = createMailer({
      smtpUrl: smtp.url,
      from: 'Quartiere <no-reply@quartiere.test>',
      mailDir: '/',
    })
    const sent = await mailer.send({
      to: 'anna@example.org',
      subject: 'Il tuo riepilogo è pronto',
      text: 'Ciao Anna',
      html: '<p>Ciao Anna</p>',
      headers: { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
    })
    mailer.close()
    expect(sent.messageId).toMatch(/@/)
    expect(smtp.received).toHaveLength(1)
    const [message] = smtp.received
    expect(message!.from).toBe('no-reply@quartiere.test')
    expect(message!.to).toEqual(['anna@example.org'])
    expect(message!.raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click$/m)
    expect(message!.raw).toMatch(/multipart\/alternative/)
    expect(message!.raw).toContain(sent.messageId)
    const read = await readMail(message!)
    expect(read.subject).toBe('Il tuo riepilogo è pronto')
    expect(read.text.trim()).toBe('Ciao Anna')
    expect(read.html).toContain('<p>Ciao Anna</p>')
  })

  it('tells a permanent refusal (5xx) from a transient one (4xx, unreachable)', async () => {
    const mailer = createMailer({ smtpUrl: smtp.url, from: 'no-reply@quartiere.test', mailDir: '/' })
    const gone = await mailer
      .send({ to: 'gone@example.org', subject: 's', text: 't' })
      .catch((e: unknown) => e)
    expect(gone).toBeInstanceOf(MailDeliveryError)
    expect(gone).toMatchObject({ permanent: true, responseCode: 550 })
    const busy = await mailer
      .send({ to: 'busy@example.org', subject: 's', text: 't' })
      .catch((e: unknown) => e)
    expect(busy).toMatchObject({ permanent: false, responseCode: 451 })
    mailer.close()
    const nowhere = createMailer({
      smtpUrl: 'smtp://127.0.0.1:1',
      from: 'no-reply@quartiere.test',
      mailDir: '/',
    })
    const unreachable = await nowhere
      .send({ to: 'anna@example.org', subject: 's', text: 't' })
      .catch((e) => e)
    expect(unreachable).toMatchObject({ permanent: false })
    nowhere.close()
  })
})

describe('mailer without SMTP', () => {
  let mailDir: string
  beforeAll(async () => {
    mailDir = await mkdtemp(join(tmpdir(), 'quartiere-mail-'))
  })
  afterAll(async () => {
    await rm(mailDir, { recursive: true, force: true })
  })

  it('writes each message as an RFC 5322 .eml file and logs its path', async () => {
    const lines: string[] = []
    const mailer = createMailer({
      from: 'Quartiere <no-reply@quartiere.test>',
      mailDir,
      log: (line) => lines.push(line),
    })
    const sent = await mailer.send({
      to: 'marco@example.org',
      subject: 'Reimposta la password',
      text: 'Link: x',
    })
    mailer.close()
    expect(sent.file).toMatch(/\.eml$/)
    expect(lines).toEqual([`mail written to ${sent.file}`])
    const raw = await readFile(sent.file!, 'utf8')
    expect(raw).toMatch(/^To: marco@example\.org$/m)
    expect(raw).toMatch(/^From: Quartiere <no-reply@quartiere\.test>$/m)
    expect(raw).toMatch(/^Subject: Reimposta la password$/m)
    expect(raw).toContain(`Message-ID: <${sent.messageId.replace(/^<|>$/g, '')}>`)
    expect(raw).toContain('Link: x')
  })
})
