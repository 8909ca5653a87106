import type { MemberSummary } from '@quartiere/contracts'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { type FormEvent, useEffect, useState } from 'react'
import { type ApiClient, newIdempotencyKey } from '../../api/client'
import { ApiProblem } from '../../api/problem'
import { useI18n } from '../../i18n/i18n'
import { queryKeys } from '../../queries/query-keys'
import { parseTypedAmount } from '../../state/amounts'
import { FormMessage, type FormNote } from '../form-message'
import { messageOf } from '../messages'
import { TextField } from '../text-field'
import { timeCurrency } from './wallet-queries'

/** Wait for a pause in typing before asking who is called that. */
const memberSearchDebounceMs = 250

/** Pay a member: whom (found by name as one types), how much of which currency, and why. */
export function SendCredits({
  api,
  currencies,
  currency,
  scales,
  onCurrency,
  nameOf,
}: {
  api: ApiClient
  /** The currencies the member holds (and so may send). */
  currencies: string[]
  currency: string
  scales: Record<string, number>
  onCurrency(code: string): void
  nameOf(code: string): string
}) {
  const i18n = useI18n()
  const { t } = i18n
  const queryClient = useQueryClient()
  const [query, setQuery] = useState('')
  const [searched, setSearched] = useState('')
  const [recipient, setRecipient] = useState<MemberSummary | null>(null)
  const [amount, setAmount] = useState('')
  const [memo, setMemo] = useState('')
  // One key per intended payment: a retry after a network error cannot pay twice.
  const [key, setKey] = useState(newIdempotencyKey)
  const [message, setMessage] = useState<FormNote | null>(null)

  const text = query.trim()
  useEffect(() => {
    const timer = setTimeout(() => setSearched(text), memberSearchDebounceMs)
    return () => clearTimeout(timer)
  }, [text])
  const chosen = recipient?.displayName
  const search = useQuery({
    queryKey: queryKeys.members.search(searched),
    enabled: searched !== '' && searched !== chosen,
    queryFn: () => api.searchMembers(searched),
  })
  const matches = !text || chosen === text || search.isError ? [] : (search.data?.items ?? [])

  const send = useMutation({
    mutationFn: (body: Parameters<ApiClient['transfer']>[0]) => api.transfer(body, key),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.wallet.all }),
  })

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    if (!recipient) {
      setMessage({ ok: false, text: t('wallet.chooseMember') })
      return
    }
    // A wrong number of decimals is said here, in the currency's terms, before the API refuses it.
    const scale = scales[currency]
    if (scale !== undefined && parseTypedAmount(amount, scale) === null) {
      setMessage({ ok: false, text: t('wallet.invalidAmountFor', { decimals: String(scale) }) })
      return
    }
    setMessage(null)
    try {
      await send.mutateAsync({
        to: { userId: recipient.id },
        amount: amount.trim(),
        ...(currency !== timeCurrency ? { currency } : {}),
        ...(memo.trim() ? { memo: memo.trim() } : {}),
      })
      setMessage({
        ok: true,
        text: t('wallet.sent', {
          amount: t('wallet.amount', { amount: i18n.decimal(amount.trim()), currency }),
          name: recipient.displayName,
        }),
      })
      setAmount('')
      setMemo('')
      setRecipient(null)
      setQuery('')
      setKey(newIdempotencyKey())
    } catch (failure) {
      setMessage({
        ok: false,
        text: messageOf(i18n, failure),
      })
      // A refusal is final for this key (the server answers it the same way): a corrected try needs a new one.
      if (failure instanceof ApiProblem && failure.status !== 0) setKey(newIdempotencyKey())
    }
  }

  return (
    <form className="send" onSubmit={submit} aria-labelledby="send-title" data-testid="send-form">
      <h2 id="send-title">{t('wallet.send')}</h2>
      {currencies.length > 1 && (
        <div className="field">
          <label htmlFor="send-currency">{t('wallet.currency')}</label>
          <select
            id="send-currency"
            value={currency}
            onChange={(event) => onCurrency(event.target.value)}
            data-testid="send-currency"
          >
            {currencies.map((code) => (
              <option key={code} value={code}>
                {nameOf(code)} ({code})
              </option>
            ))}
          </select>
        </div>
      )}
      <div className="field">
        <label htmlFor="send-to">{t('wallet.to')}</label>
        <input
          id="send-to"
          role="combobox"
          aria-expanded={matches.length > 0}
          aria-controls="send-to-matches"
          aria-autocomplete="list"
          autoComplete="off"
          value={query}
          onChange={(event) => {
            setQuery(event.target.value)
            setRecipient(null)
          }}
        />
        {matches.length > 0 && (
          <ul id="send-to-matches" className="matches">
            {matches.map((member) => (
              <li key={member.id}>
                <button
                  type="button"
                  onClick={() => {
                    setRecipient(member)
                    setQuery(member.displayName)
                  }}
                >
                  {member.displayName}
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
      <div className="field">
        <label htmlFor="send-amount">{t('wallet.amountLabel', { currency })}</label>
        <input
          id="send-amount"
          inputMode="decimal"
          value={amount}
          placeholder={scales[currency] === 0 ? '1' : '1.50'}
          onChange={(event) => setAmount(event.target.value.replace(',', '.'))}
        />
      </div>
      <TextField id="send-memo" label={t('wallet.memo')} maxLength={500} value={memo} onChange={setMemo} />
      <button type="submit" disabled={send.isPending} data-testid="send-submit">
        {t('wallet.sendButton')}
      </button>
      <FormMessage message={message} testId="send-message" />
    </form>
  )
}
