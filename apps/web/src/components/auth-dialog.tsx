import { type FormEvent, lazy, Suspense, useEffect, useRef, useState } from 'react'
import type { ApiClient } from '../api/client'
import { ApiProblem } from '../api/problem'
import { useI18n } from '../i18n/i18n'
import type { SessionStore } from '../session/session'
import { FormMessage } from './form-message'
import { problemMessage } from './messages'

// Loaded when asked for: the first visit does not carry it.
const ForgotPassword = lazy(() =>
  import('./email-links/forgot-password').then((module) => ({ default: module.ForgotPassword })),
)

export interface AuthDialogProps {
  api: ApiClient
  session: SessionStore
  initialMode: 'login' | 'register'
  onClose(): void
}

/** Log in or register, in a modal dialog (focus trapped by the browser's own <dialog>). */
export function AuthDialog({ api, session, initialMode, onClose }: AuthDialogProps) {
  const i18n = useI18n()
  const { t } = i18n
  const dialog = useRef<HTMLDialogElement>(null)
  const [mode, setMode] = useState<'login' | 'register' | 'forgot'>(initialMode)
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [displayName, setDisplayName] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({})
  const [busy, setBusy] = useState(false)

  useEffect(() => {
    const element = dialog.current
    if (element && !element.open) element.showModal()
  }, [])

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    setBusy(true)
    setError(null)
    setFieldErrors({})
    try {
      const tokens =
        mode === 'register'
          ? await api.register({ email, password, displayName, locale: i18n.locale })
          : await api.login({ email, password })
      session.signIn(tokens)
      onClose()
    } catch (failure) {
      if (failure instanceof ApiProblem) {
        setFieldErrors(failure.fieldErrors())
        setError(problemMessage(i18n, failure))
      } else setError(String(failure))
    } finally {
      setBusy(false)
    }
  }

  if (mode === 'forgot') {
    return (
      <dialog ref={dialog} className="auth-dialog" onClose={onClose} aria-labelledby="auth-title">
        <Suspense fallback={<p>{t('common.loading')}</p>}>
          <ForgotPassword
            api={api}
            initialEmail={email}
            onBack={() => setMode('login')}
            onCancel={() => dialog.current?.close()}
          />
        </Suspense>
      </dialog>
    )
  }

  return (
    <dialog ref={dialog} className="auth-dialog" onClose={onClose} aria-labelledby="auth-title">
      <form onSubmit={submit} data-testid="auth-form">
        <h2 id="auth-title">{mode === 'register' ? t('auth.register') : t('auth.login')}</h2>
        {mode === 'register' && (
          <div className="field">
            <label htmlFor="auth-name">{t('auth.displayName')}</label>
            <input
              id="auth-name"
              autoComplete="nickname"
              value={displayName}
              maxLength={100}
              required
              onChange={(event) => setDisplayName(event.target.value)}
            />
            {fieldErrors.displayName && <p className="field-error">{fieldErrors.displayName}</p>}
          </div>
        )}
        <div className="field">
          <label htmlFor="auth-email">{t('auth.email')}</label>
          <input
            id="auth-email"
            type="email"
            autoComplete="email"
            value={email}
            required
            onChange={(event) => setEmail(event.target.value)}
          />
          {fieldErrors.email && <p className="field-error">{fieldErrors.email}</p>}
        </div>
        <div className="field">
          <label htmlFor="auth-password">{t('auth.password')}</label>
          <input
            id="auth-password"
            type="password"
            autoComplete={mode === 'register' ? 'new-password' : 'current-password'}
            value={password}
            required
            onChange={(event) => setPassword(event.target.value)}
          />
          {mode === 'register' && <p className="hint">{t('auth.passwordHint')}</p>}
          {fieldErrors.password && <p className="field-error">{fieldErrors.password}</p>}
          {mode === 'login' && (
            <button
              type="button"
              className="link"
              onClick={() => setMode('forgot')}
              data-testid="forgot-password"
            >
              {t('auth.forgotPassword')}
            </button>
          )}
        </div>
        <FormMessage message={error} />
        <div className="row">
          <button type="submit" disabled={busy} data-testid="auth-submit">
            {mode === 'register' ? t('auth.register') : t('auth.login')}
          </button>
          <button type="button" onClick={() => dialog.current?.close()}>
            {t('common.cancel')}
          </button>
        </div>
        <p>
          <button
            type="button"
            className="link"
            onClick={() => setMode(mode === 'register' ? 'login' : 'register')}
          >
            {mode === 'register' ? t('auth.haveAccount') : t('auth.noAccount')}
          </button>
        </p>
      </form>
    </dialog>
  )
}
