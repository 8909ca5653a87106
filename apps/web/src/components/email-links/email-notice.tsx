import type { User } from '@quartiere/contracts'
import { useEffect, useState } from 'react'
import type { ApiClient } from '../../api/client'
import { resendVerification } from '../../api/email-links'
import { ApiProblem } from '../../api/problem'
import { useMessages } from '../../i18n/screen-messages'
import type { SessionStore } from '../../session/session'
import { FormMessage, type FormNote } from '../form-message'
import { problemMessage } from '../messages'
import { emailLinkMessages } from './messages'

export interface EmailNoticeProps {
  api: ApiClient
  session: SessionStore
  user: User
}

/**
 * For a member whose address is not confirmed (the wallet, the account page): what that means and why, with a
 * button that sends the link again. Nothing for a confirmed member.
 */
export function EmailNotice({ api, session, user }: EmailNoticeProps) {
  const i18n = useMessages(emailLinkMessages)
  const { m } = i18n
  const [note, setNote] = useState<FormNote | null>(null)
  const [busy, setBusy] = useState(false)
  const unconfirmed = user.emailVerifiedAt === null

  useEffect(() => {
    // The address may have been confirmed on another device or tab since this session read the account.
    if (unconfirmed) void session.refresh()
  }, [unconfirmed, session])

  if (!unconfirmed) return null
  const resend = async () => {
    setBusy(true)
    setNote(null)
    try {
      await resendVerification(api)
      setNote({ ok: true, text: m('resent', { email: user.email }) })
    } catch (failure) {
      if (failure instanceof ApiProblem && failure.code === 'email_already_verified') void session.refresh()
      setNote({
        ok: false,
        text: failure instanceof ApiProblem ? problemMessage(i18n, failure) : String(failure),
      })
    } finally {
      setBusy(false)
    }
  }
  return (
    <section className="email-notice" aria-labelledby="email-notice-title" data-testid="email-notice">
      <h2 id="email-notice-title">{m('noticeTitle')}</h2>
      <p>{m('notice', { email: user.email })}</p>
      <button type="button" onClick={() => void resend()} disabled={busy} data-testid="email-resend">
        {m('resend')}
      </button>
      <FormMessage message={note} testId="email-resend-message" />
    </section>
  )
}
