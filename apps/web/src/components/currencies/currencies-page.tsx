import type { Currency, CurrencyCreateBody } from '@quartiere/contracts'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { type FormEvent, useState } from 'react'
import type { ApiClient } from '../../api/client'
import { createCurrency, issuingGroups, listCurrencies } from '../../api/currencies'
import { useMessages } from '../../i18n/screen-messages'
import type { PageProps } from '../../pages'
import { queryKeys } from '../../queries/query-keys'
import { FormMessage, type FormNote } from '../form-message'
import { messageOf } from '../messages'
import { CurrencyTerms } from './currency-terms'
import { IssuerTools } from './issuer-tools'
import { currencyMessages } from './messages'
import './currencies.css'

/** Currency pages read at most (200 each: the API's largest page). */
const currencyPagesMax = 5

/**
 * Every currency's terms, for anyone, before accepting it; and for whoever the API says may issue or manage
 * one, issuing a currency, minting within its cap, its caps and its holders' credit lines.
 */
export function CurrenciesPage({ api, user }: PageProps) {
  const i18n = useMessages(currencyMessages)
  const { m } = i18n
  const list = useQuery({
    queryKey: queryKeys.currencies.reader(user?.id ?? null),
    queryFn: async () => {
      const items: Currency[] = []
      let cursor: string | undefined
      for (let page = 0; page < currencyPagesMax; page += 1) {
        const result = await listCurrencies(api, cursor)
        items.push(...result.items)
        if (!result.nextCursor) break
        cursor = result.nextCursor
      }
      return items
    },
  })
  return (
    <main className="currencies" aria-labelledby="currencies-page-title">
      <h1 id="currencies-page-title">{m('title')}</h1>
      <p className="hint">{m('intro')}</p>
      {user && <IssueForm api={api} userId={user.id} />}
      <FormMessage message={list.error ? messageOf(i18n, list.error) : null} />
      {list.data && list.data.length === 0 && <p className="empty">{m('none')}</p>}
      {list.data && (
        <ul className="currency-cards" data-testid="currency-cards">
          {list.data.map((currency) => (
            <CurrencyCard key={currency.code} api={api} currency={currency} />
          ))}
        </ul>
      )}
      {list.isPending && <p className="hint">{i18n.t('common.loading')}</p>}
    </main>
  )
}

function CurrencyCard({ api, currency }: { api: ApiClient; currency: Currency }) {
  const { m } = useMessages(currencyMessages)
  const [open, setOpen] = useState(false)
  return (
    <li className="currency-card" data-testid="currency-card" data-code={currency.code}>
      <details onToggle={(event) => setOpen(event.currentTarget.open)}>
        <summary data-testid={`currency-summary-${currency.code}`}>
          <span className="currency-card-name">{currency.name}</span> <code>{currency.code}</code>{' '}
          <span className="hint">· {m(`kind_${currency.kind}`)}</span>
        </summary>
        {open && (
          <>
            <CurrencyTerms api={api} currency={currency} idPrefix={`currency-${currency.code}`} />
            {currency.can && <IssuerTools api={api} currency={currency} can={currency.can} />}
          </>
        )}
      </details>
    </li>
  )
}

/** Issue a currency for one of the groups the API says the member may issue for; nothing when there is none. */
function IssueForm({ api, userId }: { api: ApiClient; userId: string }) {
  const i18n = useMessages(currencyMessages)
  const { m } = i18n
  const queryClient = useQueryClient()
  const groups = useQuery({
    queryKey: queryKeys.currencies.issuingGroups(userId),
    queryFn: () => issuingGroups(api),
  })
  const [fields, setFields] = useState({
    code: '',
    name: '',
    kind: 'coupon' as 'coin' | 'coupon',
    groupId: '',
    description: '',
    terms: '',
    cap: '',
    creditLine: '',
  })
  const [message, setMessage] = useState<FormNote | null>(null)
  const create = useMutation({
    mutationFn: (body: CurrencyCreateBody) => createCurrency(api, body),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.currencies.all }),
  })
  const items = groups.data?.items ?? []
  if (items.length === 0) return null
  const groupId = fields.groupId || items[0]?.groupId || ''
  const set = (key: keyof typeof fields) => (event: { target: { value: string } }) =>
    setFields((current) => ({ ...current, [key]: event.target.value }))

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    setMessage(null)
    const body: CurrencyCreateBody = {
      code: fields.code.trim().toUpperCase(),
      name: fields.name.trim(),
      kind: fields.kind,
      issuerGroupId: groupId,
      terms: fields.terms,
      ...(fields.description.trim() ? { description: fields.description.trim() } : {}),
      ...(fields.cap.trim() ? { supplyCap: fields.cap.trim() } : {}),
      ...(fields.creditLine.trim() ? { creditLine: fields.creditLine.trim() } : {}),
    }
    try {
      const created = await create.mutateAsync(body)
      setMessage({ ok: true, text: m('created', { name: created.name, code: created.code }) })
      setFields((current) => ({
        ...current,
        code: '',
        name: '',
        description: '',
        terms: '',
        cap: '',
        creditLine: '',
      }))
    } catch (failure) {
      setMessage({ ok: false, text: messageOf(i18n, failure) })
    }
  }
  return (
    <details className="currency-issue">
      <summary data-testid="issue-open">{m('create')}</summary>
      <form className="send" onSubmit={submit} aria-labelledby="issue-title" data-testid="issue-form">
        <h2 id="issue-title">{m('create')}</h2>
        <p className="hint">{m('createHint')}</p>
        <div className="field">
          <label htmlFor="issue-group">{m('group')}</label>
          <select id="issue-group" value={groupId} onChange={set('groupId')}>
            {items.map((group) => (
              <option key={group.groupId} value={group.groupId}>
                {group.title}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="issue-kind">{m('kind')}</label>
          <select id="issue-kind" value={fields.kind} onChange={set('kind')}>
            <option value="coupon">{m('kind_coupon')}</option>
            <option value="coin">{m('kind_coin')}</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="issue-code">{m('code')}</label>
          <input id="issue-code" value={fields.code} maxLength={12} required onChange={set('code')} />
        </div>
        <div className="field">
          <label htmlFor="issue-name">{m('name')}</label>
          <input id="issue-name" value={fields.name} maxLength={100} required onChange={set('name')} />
        </div>
        <div className="field">
          <label htmlFor="issue-description">{m('description')}</label>
          <textarea
            id="issue-description"
            rows={2}
            maxLength={2000}
            value={fields.description}
            onChange={set('description')}
          />
        </div>
        <div className="field">
          <label htmlFor="issue-terms">{m('termsLabel')}</label>
          <textarea id="issue-terms" rows={4} required value={fields.terms} onChange={set('terms')} />
        </div>
        <div className="field">
          <label htmlFor="issue-cap">{m('capLabel')}</label>
          <input id="issue-cap" inputMode="decimal" value={fields.cap} onChange={set('cap')} />
        </div>
        <div className="field">
          <label htmlFor="issue-credit-line">{m('creditLineLabel')}</label>
          <input
            id="issue-credit-line"
            inputMode="decimal"
            value={fields.creditLine}
            onChange={set('creditLine')}
          />
        </div>
        <button type="submit" disabled={create.isPending} data-testid="issue-submit">
          {m('createSubmit')}
        </button>
        <FormMessage message={message} testId="issue-message" />
      </form>
    </details>
  )
}
