import { useEffect, useRef, useState } from 'react'
import { verifyEmail } from '../../api/email-links'
import { ApiProblem } from '../../api/problem'
import { useMessages } from '../../i18n/screen-messages'
import type { PageProps } from '../../pages'
import { FormMessage, type FormNote } from '../form-message'
import { problemMessage } from '../messages'
import { emailLinkMessages } from './messages'

/** Opened by the confirmation link: confirms the address at once, and says so (or why not). */
export function VerifyEmailPage({ api, session, linkToken, goTo }: PageProps) {
  const i18n = useMessages(emailLinkMessages)
  const { m } = i18n
  const [note, setNote] = useState<FormNote | null>(null)
  const asked = useRef(false)

  useEffect(() => {
    // Once per opening: the link is single-use, so a second call would read as "used already".
    if (!linkToken || asked.current) return
    asked.current = true
    verifyEmail(api, linkToken)
      .then(async () => {
        setNote({ ok: true, text: i18n.m('verified') })
        // A signed-in member's stored account says "unconfirmed" until it is read again.
        if (session.user()) await session.refresh()
      })
      .catch((failure: unknown) =>
        setNote({
          ok: false,
          text: failure instanceof ApiProblem ? problemMessage(i18n, failure) : String(failure),
        }),
      )
  }, [api, linkToken, session, i18n])

  return (
    <main className="email-link-page" aria-labelledby="verify-title">
      <h1 id="verify-title">{m('verifyTitle')}</h1>
      {!linkToken ? (
        <p>{m('noToken')}</p>
      ) : note ? (
        <FormMessage message={note} testId="verify-result" />
      ) : (
        <p role="status">{m('verifying')}</p>
      )}
      {note?.ok && session.user() && (
        <button type="button" onClick={() => goTo('wallet')} data-testid="verify-wallet">
          {m('toWallet')}
        </button>
      )}
    </main>
  )
}
