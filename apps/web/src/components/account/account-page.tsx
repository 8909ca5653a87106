import type { User } from '@quartiere/contracts'
import { useMutation } from '@tanstack/react-query'
import { type FormEvent, useState } from 'react'
import { changePassword, downloadPersonalData, signOutEverywhere, updateProfile } from '../../api/account'
import type { ApiClient } from '../../api/client'
import type { Locale } from '../../i18n/dictionaries'
import { useMessages } from '../../i18n/screen-messages'
import type { PageProps } from '../../pages'
import type { SessionStore } from '../../session/session'
import { EmailNotice } from '../email-links/email-notice'
import { FormMessage, type FormNote } from '../form-message'
import { messageOf } from '../messages'
import { TextField } from '../text-field'
import { EmailSection } from './email-section'
import { Erasure } from './erasure'
import { MyPosts, MyThings, WhatIFollow } from './lists'
import { accountMessages } from './messages'
import { PushNotifications } from './push-notifications'

/**
 * My account: profile, password, signing out everywhere, what I follow, my things and posts, my data and
 * erasing the account. Every action is the API's to accept or refuse; its refusals are said here in the
 * reader's language.
 */
export function AccountPage(props: PageProps) {
  const { user } = props
  if (!user) return null
  return <Account key={user.id} {...props} user={user} />
}

function Account({ api, user, session, showOnMap, goTo, setLocale }: PageProps & { user: User }) {
  const { m } = useMessages(accountMessages)
  return (
    <main className="account-page" aria-labelledby="account-title" data-testid="account-page">
      <h1 id="account-title">{m('title')}</h1>
      <EmailNotice api={api} session={session} user={user} />
      <Profile api={api} user={user} session={session} setLocale={setLocale} />
      <PasswordChange api={api} session={session} />
      <Sessions api={api} session={session} />
      <EmailSection api={api} />
      <WhatIFollow api={api} user={user} showOnMap={showOnMap} />
      <MyThings api={api} user={user} showOnMap={showOnMap} />
      <MyPosts api={api} user={user} showOnMap={showOnMap} />
      <MyData api={api} />
      <PushNotifications api={api} user={user} />
      <Erasure api={api} session={session} showOnMap={showOnMap} goTo={goTo} />
    </main>
  )
}

/** One section of the page, with its heading. */
export function AccountSection({
  id,
  title,
  children,
}: {
  id: string
  title: string
  children: React.ReactNode
}) {
  return (
    <section className="account-section" aria-labelledby={`${id}-title`} data-testid={`account-${id}`}>
      <h2 id={`${id}-title`}>{title}</h2>
      {children}
    </section>
  )
}

function Profile({
  api,
  user,
  session,
  setLocale,
}: {
  api: ApiClient
  user: User
  session: SessionStore
  setLocale(locale: Locale): void
}) {
  const i18n = useMessages(accountMessages)
  const { m } = i18n
  const [displayName, setDisplayName] = useState(user.displayName)
  const [locale, setChosenLocale] = useState<Locale>(user.locale)
  const [note, setNote] = useState<FormNote | null>(null)
  const save = useMutation({
    mutationFn: () =>
      updateProfile(api, {
        ...(displayName !== user.displayName ? { displayName } : {}),
        ...(locale !== user.locale ? { locale } : {}),
      }),
  })
  const unchanged = displayName === user.displayName && locale === user.locale
  const submit = async (event: FormEvent) => {
    event.preventDefault()
    if (unchanged) return
    setNote(null)
    try {
      const saved = await save.mutateAsync()
      setDisplayName(saved.displayName)
      setLocale(saved.locale)
      // The session's copy of me (the name in the top bar) comes from the API: a refresh brings the new one.
      await session.refresh()
      setNote({ ok: true, text: accountMessages[saved.locale].profileSaved })
    } catch (failure) {
      setNote({ ok: false, text: messageOf(i18n, failure) })
    }
  }
  return (
    <AccountSection id="profile" title={m('profile')}>
      <form className="account-form" onSubmit={submit}>
        <p className="hint">{m('email', { email: user.email })}</p>
        <TextField
          id="account-name"
          label={m('displayName')}
          required
          maxLength={100}
          autoComplete="nickname"
          value={displayName}
          onChange={setDisplayName}
          testId="account-name"
        />
        <div className="field">
          <label htmlFor="account-locale">{m('language')}</label>
          <select
            id="account-locale"
            value={locale}
            onChange={(event) => setChosenLocale(event.target.value as Locale)}
            data-testid="account-locale"
          >
            <option value="it" lang="it">
              Italiano
            </option>
            <option value="en" lang="en">
              English
            </option>
          </select>
        </div>
        <button type="submit" disabled={save.isPending || unchanged} data-testid="account-save-profile">
          {m('saveProfile')}
        </button>
        <FormMessage message={note} testId="account-profile-message" />
      </form>
    </AccountSection>
  )
}

function PasswordChange({ api, session }: { api: ApiClient; session: SessionStore }) {
  const i18n = useMessages(accountMessages)
  const { m } = i18n
  const [currentPassword, setCurrent] = useState('')
  const [newPassword, setNew] = useState('')
  const [note, setNote] = useState<FormNote | null>(null)
  const change = useMutation({ mutationFn: () => changePassword(api, { currentPassword, newPassword }) })
  const submit = async (event: FormEvent) => {
    event.preventDefault()
    setNote(null)
    try {
      // The change revoked every session; the answer is this one's new pair.
      session.signIn(await change.mutateAsync())
      setCurrent('')
      setNew('')
      setNote({ ok: true, text: m('passwordChanged') })
    } catch (failure) {
      setNote({ ok: false, text: messageOf(i18n, failure) })
    }
  }
  return (
    <AccountSection id="password" title={m('password')}>
      <form className="account-form" onSubmit={submit}>
        <p className="hint" id="account-password-rules">
          {m('passwordRules')}
        </p>
        <TextField
          id="account-current-password"
          label={m('currentPassword')}
          type="password"
          required
          autoComplete="current-password"
          value={currentPassword}
          onChange={setCurrent}
          testId="account-current-password"
        />
        <TextField
          id="account-new-password"
          label={m('newPassword')}
          type="password"
          required
          minLength={10}
          maxLength={256}
          autoComplete="new-password"
          aria-describedby="account-password-rules"
          value={newPassword}
          onChange={setNew}
          testId="account-new-password"
        />
        <button type="submit" disabled={change.isPending} data-testid="account-change-password">
          {m('changePassword')}
        </button>
        <FormMessage message={note} testId="account-password-message" />
      </form>
    </AccountSection>
  )
}

function Sessions({ api, session }: { api: ApiClient; session: SessionStore }) {
  const i18n = useMessages(accountMessages)
  const { m } = i18n
  const [error, setError] = useState<string | null>(null)
  const revoke = useMutation({ mutationFn: () => signOutEverywhere(api) })
  const signOut = async () => {
    setError(null)
    try {
      await revoke.mutateAsync()
      await session.signOut()
    } catch (failure) {
      setError(messageOf(i18n, failure))
    }
  }
  return (
    <AccountSection id="sessions" title={m('sessions')}>
      <p className="hint">{m('sessionsHint')}</p>
      <button
        type="button"
        onClick={() => void signOut()}
        disabled={revoke.isPending}
        data-testid="account-sign-out-everywhere"
      >
        {m('signOutEverywhere')}
      </button>
      <FormMessage message={error} />
    </AccountSection>
  )
}

function MyData({ api }: { api: ApiClient }) {
  const i18n = useMessages(accountMessages)
  const { m } = i18n
  const [note, setNote] = useState<FormNote | null>(null)
  const download = useMutation({ mutationFn: () => downloadPersonalData(api) })
  const start = async () => {
    setNote(null)
    try {
      const name = await download.mutateAsync()
      setNote({ ok: true, text: m('downloaded', { name }) })
    } catch (failure) {
      setNote({ ok: false, text: messageOf(i18n, failure) })
    }
  }
  return (
    <AccountSection id="data" title={m('myData')}>
      <p className="hint">{m('myDataHint')}</p>
      <button
        type="button"
        onClick={() => void start()}
        disabled={download.isPending}
        data-testid="account-download"
      >
        {m('download')}
      </button>
      <FormMessage message={note} testId="account-download-message" />
    </AccountSection>
  )
}
