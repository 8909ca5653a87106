import type { DigestFrequency, EmailPreferences } from '@quartiere/contracts'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { type FormEvent, useState } from 'react'
import type { ApiClient } from '../../api/client'
import { emailPreferences, resumeMail, setDigestFrequency } from '../../api/email'
import { useMessages } from '../../i18n/screen-messages'
import { FormMessage, type FormNote } from '../form-message'
import { messageOf } from '../messages'
import { AccountSection } from './account-page'
import { emailMessages } from './email-messages'

const frequencies: readonly DigestFrequency[] = ['none', 'daily', 'weekly']
const queryKey = ['account', 'email-preferences'] as const

/**
 * The account's Email section: how often a digest comes (none, daily, weekly), what it holds, and whether mail
 * reaches the member's address at all — with the way back when it stopped after repeated refusals.
 */
export function EmailSection({ api }: { api: ApiClient }) {
  const i18n = useMessages(emailMessages)
  const { m } = i18n
  const queryClient = useQueryClient()
  const preferences = useQuery({ queryKey, queryFn: () => emailPreferences(api) })
  const [chosen, setChosen] = useState<DigestFrequency | null>(null)
  const [note, setNote] = useState<FormNote | null>(null)
  const [deliveryNote, setDeliveryNote] = useState<FormNote | null>(null)
  const stored = (answer: EmailPreferences) => queryClient.setQueryData(queryKey, answer)
  const save = useMutation({ mutationFn: (value: DigestFrequency) => setDigestFrequency(api, value) })
  const resume = useMutation({ mutationFn: () => resumeMail(api) })
  const date = (iso: string) =>
    new Intl.DateTimeFormat(i18n.locale, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso))

  if (preferences.isPending) {
    return (
      <AccountSection id="email" title={m('title')}>
        <p className="hint">{m('loading')}</p>
      </AccountSection>
    )
  }
  if (preferences.isError) {
    return (
      <AccountSection id="email" title={m('title')}>
        <FormMessage message={messageOf(i18n, preferences.error)} />
      </AccountSection>
    )
  }
  const current = preferences.data
  const value = chosen ?? current.digestFrequency
  const submit = async (event: FormEvent) => {
    event.preventDefault()
    setNote(null)
    try {
      const answer = await save.mutateAsync(value)
      stored(answer)
      setChosen(null)
      setNote({ ok: true, text: m('saved', { choice: m(answer.digestFrequency) }) })
    } catch (failure) {
      setNote({ ok: false, text: messageOf(i18n, failure) })
    }
  }
  const tryAgain = async () => {
    setDeliveryNote(null)
    try {
      stored(await resume.mutateAsync())
      setDeliveryNote({ ok: true, text: m('resumed') })
    } catch (failure) {
      setDeliveryNote({ ok: false, text: messageOf(i18n, failure) })
    }
  }
  const { delivery } = current
  return (
    <AccountSection id="email" title={m('title')}>
      <form className="account-form" onSubmit={submit}>
        <fieldset className="email-digest-choice">
          <legend>{m('digest')}</legend>
          <p className="hint" id="email-digest-hint">
            {m('digestHint')}
          </p>
          {frequencies.map((frequency) => (
            <label key={frequency} className="email-digest-option">
              <input
                type="radio"
                name="digest-frequency"
                value={frequency}
                checked={value === frequency}
                onChange={() => setChosen(frequency)}
                aria-describedby="email-digest-hint"
                data-testid={`email-digest-${frequency}`}
              />
              {m(frequency)}
            </label>
          ))}
        </fieldset>
        <button
          type="submit"
          disabled={save.isPending || value === current.digestFrequency}
          data-testid="email-digest-save"
        >
          {m('save')}
        </button>
        <FormMessage message={note} testId="email-digest-message" />
      </form>
      <div className="email-delivery" data-testid="email-delivery" data-state={delivery.state}>
        {delivery.state === 'suspended' && delivery.suspendedAt ? (
          <>
            <p role="status" className="error">
              {m('suspended', {
                date: date(delivery.suspendedAt),
                count: delivery.consecutivePermanentFailures,
              })}
            </p>
            <button type="button" onClick={tryAgain} disabled={resume.isPending} data-testid="email-resume">
              {m('resume')}
            </button>
          </>
        ) : (
          <>
            <p className="hint">{m('active')}</p>
            {delivery.lastDeliveredAt && (
              <p className="hint">{m('lastDelivered', { date: date(delivery.lastDeliveredAt) })}</p>
            )}
            {delivery.lastFailure &&
              (!delivery.lastDeliveredAt || delivery.lastFailure.at > delivery.lastDeliveredAt) && (
                <p className="hint">
                  {m('lastFailure', {
                    date: date(delivery.lastFailure.at),
                    reason: delivery.lastFailure.reason,
                  })}
                </p>
              )}
          </>
        )}
        <FormMessage message={deliveryNote} testId="email-delivery-message" />
      </div>
    </AccountSection>
  )
}
