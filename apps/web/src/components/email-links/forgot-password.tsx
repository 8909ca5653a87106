import { type FormEvent, useState } from 'react'
import type { ApiClient } from '../../api/client'
import { requestPasswordReset } from '../../api/email-links'
import { ApiProblem } from '../../api/problem'
import { useMessages } from '../../i18n/screen-messages'
import { FormMessage, type FormNote } from '../form-message'
import { problemMessage } from '../messages'
import { emailLinkMessages } from './messages'

export interface ForgotPasswordProps {
  api: ApiClient
  /** The address typed in the login form, if any. */
  initialEmail: string
  onBack(): void
  onCancel(): void
}

/** Inside the login dialog: ask for a reset link, and say what happens next. */
export function ForgotPassword({ api, initialEmail, onBack, onCancel }: ForgotPasswordProps) {
  const i18n = useMessages(emailLinkMessages)
  const { m, t } = i18n
  const [email, setEmail] = useState(initialEmail)
  const [note, setNote] = useState<FormNote | null>(null)
  const [busy, setBusy] = useState(false)

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    setBusy(true)
    setNote(null)
    try {
      await requestPasswordReset(api, email)
      setNote({ ok: true, text: m('forgotSent', { email }) })
    } catch (failure) {
      setNote({
        ok: false,
        text: failure instanceof ApiProblem ? problemMessage(i18n, failure) : String(failure),
      })
    } finally {
      setBusy(false)
    }
  }

  return (
    <form onSubmit={submit} data-testid="forgot-form">
      <h2 id="auth-title">{m('forgotTitle')}</h2>
      <p className="hint">{m('forgotHint')}</p>
      <div className="field">
        <label htmlFor="forgot-email">{t('auth.email')}</label>
        <input
          id="forgot-email"
          type="email"
          autoComplete="email"
          value={email}
          required
          onChange={(event) => setEmail(event.target.value)}
        />
      </div>
      <FormMessage message={note} testId="forgot-message" />
      <div className="row">
        <button type="submit" disabled={busy} data-testid="forgot-submit">
          {m('sendLink')}
        </button>
        <button type="button" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
      <p>
        <button type="button" className="link" onClick={onBack}>
          {m('backToLogin')}
        </button>
      </p>
    </form>
  )
}
