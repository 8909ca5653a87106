import { type FormEvent, useState } from 'react'
import { confirmPasswordReset } from '../../api/email-links'
import { ApiProblem } from '../../api/problem'
import { useMessages } from '../../i18n/screen-messages'
import type { PageProps } from '../../pages'
import { FormMessage } from '../form-message'
import { problemMessage } from '../messages'
import { emailLinkMessages } from './messages'

/** Opened by the reset link: choose a new password, then log in with it. */
export function ResetPasswordPage({ api, session, linkToken, openLogin }: PageProps) {
  const i18n = useMessages(emailLinkMessages)
  const { m } = i18n
  const [password, setPassword] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [fieldError, setFieldError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const [done, setDone] = useState(false)

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    if (!linkToken) return
    setBusy(true)
    setError(null)
    setFieldError(null)
    try {
      await confirmPasswordReset(api, linkToken, password)
      // Every session of the member was signed out: this one too, if it was theirs.
      if (session.user()) await session.signOut()
      setDone(true)
    } catch (failure) {
      if (failure instanceof ApiProblem) {
        setFieldError(failure.fieldErrors().password ?? null)
        setError(problemMessage(i18n, failure))
      } else setError(String(failure))
    } finally {
      setBusy(false)
    }
  }

  return (
    <main className="email-link-page" aria-labelledby="reset-title">
      <h1 id="reset-title">{m('resetTitle')}</h1>
      {!linkToken ? (
        <p>{m('noToken')}</p>
      ) : done ? (
        <>
          <FormMessage message={{ ok: true, text: m('resetDone') }} testId="reset-done" />
          <button type="button" onClick={() => openLogin?.()} data-testid="reset-login">
            {m('logIn')}
          </button>
        </>
      ) : (
        <form onSubmit={submit} data-testid="reset-form">
          <div className="field">
            <label htmlFor="reset-password">{m('newPassword')}</label>
            <input
              id="reset-password"
              type="password"
              autoComplete="new-password"
              value={password}
              required
              aria-describedby="reset-hint"
              onChange={(event) => setPassword(event.target.value)}
            />
            <p className="hint" id="reset-hint">
              {m('resetHint')}
            </p>
            {fieldError && <p className="field-error">{fieldError}</p>}
          </div>
          <FormMessage message={error} testId="reset-error" />
          <button type="submit" disabled={busy} data-testid="reset-submit">
            {m('setPassword')}
          </button>
        </form>
      )}
    </main>
  )
}
