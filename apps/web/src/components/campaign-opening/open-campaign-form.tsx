import type { CampaignCreateBody, Currency, User } from '@quartiere/contracts'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { type FormEvent, useState } from 'react'
import { openCampaign } from '../../api/campaigns'
import { type ApiClient, newIdempotencyKey } from '../../api/client'
import { issuingGroups, listCurrencies } from '../../api/currencies'
import { ApiProblem } from '../../api/problem'
import { useMessages } from '../../i18n/screen-messages'
import { queryKeys } from '../../queries/query-keys'
import { formatMinor, parseTypedAmount } from '../../state/amounts'
import { FormMessage, type FormNote } from '../form-message'
import { messageOf } from '../messages'
import { openingMessages } from './messages'

/**
 * Opens a crowdfunding campaign on this place or project: which currency it accepts and which it gives back, the
 * ratio, cap, goal and dates; for oneself or for a group one manages. The API judges it all (the ledger's
 * checks of amounts and dates); refusals are said in the reader's language.
 */
export function OpenCampaignForm({ api, user, entityId }: { api: ApiClient; user: User; entityId: string }) {
  const i18n = useMessages(openingMessages)
  const { m } = i18n
  const queryClient = useQueryClient()
  const currencies = useQuery({
    queryKey: queryKeys.currencies.reader(user.id),
    queryFn: async () => (await listCurrencies(api)).items,
  })
  const groups = useQuery({
    queryKey: queryKeys.currencies.issuingGroups(user.id),
    queryFn: () => issuingGroups(api),
  })
  const all: Currency[] = currencies.data ?? []
  const giving = all.filter((currency) => currency.kind !== 'time')
  const [fields, setFields] = useState({
    title: '',
    description: '',
    groupId: '',
    accept: 'TIME',
    give: '',
    ratioAccept: '',
    ratioGive: '',
    cap: '',
    goal: '',
    startsAt: '',
    endsAt: '',
  })
  const [key, setKey] = useState(newIdempotencyKey)
  const [busy, setBusy] = useState(false)
  const [message, setMessage] = useState<FormNote | null>(null)
  const set = (name: keyof typeof fields) => (event: { target: { value: string } }) =>
    setFields((current) => ({ ...current, [name]: event.target.value }))
  const give = fields.give || giving[0]?.code || ''
  const scaleOf = (code: string) => all.find((currency) => currency.code === code)?.scale ?? 2
  const id = `campaign-${entityId}`

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    setMessage(null)
    if (!fields.endsAt) {
      setMessage({ ok: false, text: m('invalidDate') })
      return
    }
    // Amounts as the API takes them: a comma typed as the decimal separator, the currency's own decimals.
    const amount = (text: string, code: string) => {
      const units = parseTypedAmount(text, scaleOf(code))
      return units === null ? text.trim() : formatMinor(units, scaleOf(code))
    }
    const body: Omit<CampaignCreateBody, 'id'> = {
      entityId,
      title: fields.title.trim(),
      acceptCurrency: fields.accept,
      giveCurrency: give,
      ratio: { accept: amount(fields.ratioAccept, fields.accept), give: amount(fields.ratioGive, give) },
      cap: amount(fields.cap, fields.accept),
      endsAt: new Date(fields.endsAt).toISOString(),
      ...(fields.description.trim() ? { description: fields.description.trim() } : {}),
      ...(fields.goal.trim() ? { goal: amount(fields.goal, fields.accept) } : {}),
      ...(fields.startsAt ? { startsAt: new Date(fields.startsAt).toISOString() } : {}),
      ...(fields.groupId ? { groupId: fields.groupId } : {}),
    }
    setBusy(true)
    try {
      const campaign = await openCampaign(api, body, key)
      setMessage({ ok: true, text: m('opened', { title: campaign.title }) })
      // The new campaign shows in the panel's list below, waiting for its deposit; the form is ready again.
      setKey(newIdempotencyKey())
      setFields((current) => ({ ...current, title: '', description: '' }))
      await queryClient.invalidateQueries({ queryKey: queryKeys.campaigns.all })
    } catch (failure) {
      const text =
        failure instanceof ApiProblem && failure.status === 400 ? failure.detail : messageOf(i18n, failure)
      setMessage({ ok: false, text })
    } finally {
      setBusy(false)
    }
  }

  if (currencies.isSuccess && giving.length === 0) return <p className="hint">{m('noGiveCurrency')}</p>
  return (
    <form
      className="send"
      onSubmit={submit}
      noValidate
      aria-labelledby={`${id}-title`}
      data-testid="open-campaign-form"
    >
      <h3 id={`${id}-title`}>{m('title')}</h3>
      <p className="hint">{m('hint')}</p>
      <div className="field">
        <label htmlFor={`${id}-name`}>{m('name')}</label>
        <input id={`${id}-name`} maxLength={200} value={fields.title} onChange={set('title')} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-description`}>{m('description')}</label>
        <textarea
          id={`${id}-description`}
          rows={2}
          maxLength={5000}
          value={fields.description}
          onChange={set('description')}
        />
      </div>
      {(groups.data?.items.length ?? 0) > 0 && (
        <div className="field">
          <label htmlFor={`${id}-owner`}>{m('owner')}</label>
          <select id={`${id}-owner`} value={fields.groupId} onChange={set('groupId')}>
            <option value="">{m('ownerMe')}</option>
            {groups.data?.items.map((group) => (
              <option key={group.groupId} value={group.groupId}>
                {group.title}
              </option>
            ))}
          </select>
        </div>
      )}
      <div className="field">
        <label htmlFor={`${id}-accept`}>{m('accept')}</label>
        <select id={`${id}-accept`} value={fields.accept} onChange={set('accept')}>
          {all.map((currency) => (
            <option key={currency.code} value={currency.code}>
              {currency.name} ({currency.code})
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-give`}>{m('give')}</label>
        <select id={`${id}-give`} value={give} onChange={set('give')}>
          {giving.map((currency) => (
            <option key={currency.code} value={currency.code}>
              {currency.name} ({currency.code})
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-ratio-accept`}>{m('ratioAccept')}</label>
        <input
          id={`${id}-ratio-accept`}
          inputMode="decimal"
          value={fields.ratioAccept}
          onChange={set('ratioAccept')}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-ratio-give`}>{m('ratioGive')}</label>
        <input
          id={`${id}-ratio-give`}
          inputMode="decimal"
          value={fields.ratioGive}
          onChange={set('ratioGive')}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-cap`}>{m('cap')}</label>
        <input id={`${id}-cap`} inputMode="decimal" value={fields.cap} onChange={set('cap')} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-goal`}>{m('goal')}</label>
        <input id={`${id}-goal`} inputMode="decimal" value={fields.goal} onChange={set('goal')} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-starts`}>{m('startsAt')}</label>
        <input id={`${id}-starts`} type="datetime-local" value={fields.startsAt} onChange={set('startsAt')} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-ends`}>{m('endsAt')}</label>
        <input id={`${id}-ends`} type="datetime-local" value={fields.endsAt} onChange={set('endsAt')} />
      </div>
      <button type="submit" disabled={busy} data-testid="open-campaign-submit">
        {m('submit')}
      </button>
      <FormMessage message={message} testId="open-campaign-message" />
    </form>
  )
}
