import type { Currency, CurrencyHolder, CurrencyPermissions, MemberSummary } from '@quartiere/contracts'
import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query'
import { type FormEvent, useState } from 'react'
import { type ApiClient, newIdempotencyKey } from '../../api/client'
import { holders, mint, setCaps, setCreditLine } from '../../api/currencies'
import { ApiProblem } from '../../api/problem'
import { useMessages } from '../../i18n/screen-messages'
import { queryKeys } from '../../queries/query-keys'
import { formatMinor, parseTypedAmount } from '../../state/amounts'
import { FormMessage, type FormNote } from '../form-message'
import { messageOf } from '../messages'
import { TextField } from '../text-field'
import { useAmount } from './currency-terms'
import { MemberPicker } from './member-picker'
import { currencyMessages } from './messages'

/** The issuer's tools on one currency, each shown only when the API says this reader may use it. */
export function IssuerTools({
  api,
  currency,
  can,
}: {
  api: ApiClient
  currency: Currency
  can: CurrencyPermissions
}) {
  return (
    <div className="issuer-tools">
      {can.mint && <MintForm api={api} currency={currency} />}
      {can.setCaps && <CapsForm api={api} currency={currency} />}
      {can.readHolders && <Holders api={api} currency={currency} canSetCreditLines={can.setCreditLines} />}
    </div>
  )
}

function MintForm({ api, currency }: { api: ApiClient; currency: Currency }) {
  const i18n = useMessages(currencyMessages)
  const { m } = i18n
  const amountText = useAmount()
  const queryClient = useQueryClient()
  const [member, setMember] = useState<MemberSummary | null>(null)
  const [amount, setAmount] = useState('')
  const [memo, setMemo] = useState('')
  const [key, setKey] = useState(newIdempotencyKey)
  const [busy, setBusy] = useState(false)
  const [message, setMessage] = useState<FormNote | null>(null)
  const id = `mint-${currency.code}`
  const submit = async (event: FormEvent) => {
    event.preventDefault()
    if (!member) {
      setMessage({ ok: false, text: m('chooseMember') })
      return
    }
    const units = parseTypedAmount(amount, currency.scale)
    if (units === null) {
      setMessage({ ok: false, text: m('invalidAmount', { decimals: currency.scale }) })
      return
    }
    const value = formatMinor(units, currency.scale)
    setBusy(true)
    setMessage(null)
    try {
      await mint(
        api,
        currency.code,
        { to: { userId: member.id }, amount: value, memo: memo.trim() || m('mint', { code: currency.code }) },
        key,
      )
      setMessage({
        ok: true,
        text: m('minted_ok', { amount: amountText(value, currency.code), name: member.displayName }),
      })
      setAmount('')
      setMemo('')
      setKey(newIdempotencyKey())
      await queryClient.invalidateQueries({ queryKey: queryKeys.currencies.all })
    } catch (failure) {
      setMessage({ ok: false, text: messageOf(i18n, failure) })
      if (failure instanceof ApiProblem && failure.status !== 0) setKey(newIdempotencyKey())
    } finally {
      setBusy(false)
    }
  }
  return (
    <form
      className="send"
      onSubmit={submit}
      noValidate
      aria-labelledby={`${id}-title`}
      data-testid="mint-form"
    >
      <h3 id={`${id}-title`}>{m('mint', { code: currency.code })}</h3>
      <p className="hint" data-testid="mint-remaining">
        {currency.supply.mintable === null
          ? m('mintNoCap')
          : m('mintRemaining', { amount: amountText(currency.supply.mintable, currency.code) })}
      </p>
      <MemberPicker
        api={api}
        id={`${id}-member`}
        label={m('recipient')}
        member={member}
        onChange={setMember}
        testId="mint-member"
      />
      <TextField
        id={`${id}-amount`}
        label={m('amount')}
        inputMode={currency.scale === 0 ? 'numeric' : 'decimal'}
        value={amount}
        onChange={setAmount}
        testId="mint-amount"
      />
      <TextField id={`${id}-memo`} label={m('memo')} maxLength={500} value={memo} onChange={setMemo} />
      <button type="submit" disabled={busy} data-testid="mint-submit">
        {m('mintSubmit')}
      </button>
      <FormMessage message={message} testId="mint-message" />
    </form>
  )
}

function CapsForm({ api, currency }: { api: ApiClient; currency: Currency }) {
  const i18n = useMessages(currencyMessages)
  const { m } = i18n
  const queryClient = useQueryClient()
  const [transferMax, setTransferMax] = useState(currency.caps.transferAmountMax ?? '')
  const [dailyMax, setDailyMax] = useState(currency.caps.dailyAmountMax ?? '')
  const [dailyCount, setDailyCount] = useState(
    currency.caps.dailyTransfersMax === null ? '' : String(currency.caps.dailyTransfersMax),
  )
  const [busy, setBusy] = useState(false)
  const [message, setMessage] = useState<FormNote | null>(null)
  const id = `caps-${currency.code}`
  const submit = async (event: FormEvent) => {
    event.preventDefault()
    const count = dailyCount.trim()
    // Empty: no cap; otherwise a positive amount the currency can hold, written as the API takes it.
    const cap = (text: string) => {
      const units = text.trim() ? parseTypedAmount(text, currency.scale) : null
      return units === null ? (text.trim() ? undefined : null) : formatMinor(units, currency.scale)
    }
    const transferAmountMax = cap(transferMax)
    const dailyAmountMax = cap(dailyMax)
    if (transferAmountMax === undefined || dailyAmountMax === undefined) {
      setMessage({ ok: false, text: m('invalidAmount', { decimals: currency.scale }) })
      return
    }
    if (count && !/^[1-9][0-9]{0,5}$/.test(count)) {
      setMessage({ ok: false, text: m('invalidAmount', { decimals: 0 }) })
      return
    }
    setBusy(true)
    setMessage(null)
    try {
      await setCaps(api, currency.code, {
        transferAmountMax,
        dailyAmountMax,
        dailyTransfersMax: count ? Number(count) : null,
      })
      setMessage({ ok: true, text: m('capsSaved') })
      await queryClient.invalidateQueries({ queryKey: queryKeys.currencies.all })
    } catch (failure) {
      setMessage({ ok: false, text: messageOf(i18n, failure) })
    } finally {
      setBusy(false)
    }
  }
  return (
    <form
      className="send"
      onSubmit={submit}
      noValidate
      aria-labelledby={`${id}-title`}
      data-testid="caps-form"
    >
      <h3 id={`${id}-title`}>{m('caps', { code: currency.code })}</h3>
      <p className="hint">{m('capsHint')}</p>
      <TextField
        id={`${id}-transfer`}
        label={m('transferMax')}
        inputMode="decimal"
        value={transferMax}
        onChange={setTransferMax}
      />
      <TextField
        id={`${id}-daily`}
        label={m('dailyMax')}
        inputMode="decimal"
        value={dailyMax}
        onChange={setDailyMax}
      />
      <TextField
        id={`${id}-count`}
        label={m('dailyTransfers')}
        inputMode="numeric"
        value={dailyCount}
        onChange={setDailyCount}
      />
      <button type="submit" disabled={busy} data-testid="caps-submit">
        {m('capsSubmit')}
      </button>
      <FormMessage message={message} testId="caps-message" />
    </form>
  )
}

/** The holders' accounts, a page at a time; each with a credit line form when the currency gives them. */
function Holders({
  api,
  currency,
  canSetCreditLines,
}: {
  api: ApiClient
  currency: Currency
  canSetCreditLines: boolean
}) {
  const i18n = useMessages(currencyMessages)
  const { m } = i18n
  const list = useInfiniteQuery({
    queryKey: queryKeys.currencies.holders(currency.code),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) => holders(api, currency.code, pageParam),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  })
  const items = list.data?.pages.flatMap((page) => page.items) ?? []
  const id = `holders-${currency.code}`
  return (
    <section aria-labelledby={`${id}-title`} data-testid="holders">
      <h3 id={`${id}-title`}>{m('holders', { code: currency.code })}</h3>
      <FormMessage message={list.error ? messageOf(i18n, list.error) : null} />
      {list.isSuccess && items.length === 0 && <p className="empty">{m('noHolders')}</p>}
      {items.length > 0 && (
        <ul className="holders">
          {items.map((holder) => (
            <HolderRow
              key={holder.account.id}
              api={api}
              currency={currency}
              holder={holder}
              canSetCreditLine={canSetCreditLines}
            />
          ))}
        </ul>
      )}
      {list.hasNextPage && (
        <button type="button" disabled={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
          {m('more')}
        </button>
      )}
    </section>
  )
}

function HolderRow({
  api,
  currency,
  holder,
  canSetCreditLine,
}: {
  api: ApiClient
  currency: Currency
  holder: CurrencyHolder
  canSetCreditLine: boolean
}) {
  const i18n = useMessages(currencyMessages)
  const { m } = i18n
  const amountText = useAmount()
  const queryClient = useQueryClient()
  const { account } = holder
  const current = account.lowerLimit === null ? '' : account.lowerLimit.replace(/^-/, '')
  const [value, setValue] = useState(current)
  const [busy, setBusy] = useState(false)
  const [message, setMessage] = useState<FormNote | null>(null)
  const inputId = `credit-line-${account.id}`
  const submit = async (event: FormEvent) => {
    event.preventDefault()
    const typed = value.trim()
    const units = typed === '' || /^0+([.,]0*)?$/.test(typed) ? 0n : parseTypedAmount(typed, currency.scale)
    if (units === null) {
      setMessage({ ok: false, text: m('invalidAmount', { decimals: currency.scale }) })
      return
    }
    const creditLine = formatMinor(units, currency.scale)
    setBusy(true)
    setMessage(null)
    try {
      await setCreditLine(api, currency.code, account.id, creditLine)
      setMessage({
        ok: true,
        text: m('creditLineSet', { name: holder.name, amount: amountText(creditLine, currency.code) }),
      })
      await queryClient.invalidateQueries({ queryKey: queryKeys.currencies.holders(currency.code) })
    } catch (failure) {
      setMessage({ ok: false, text: messageOf(i18n, failure) })
    } finally {
      setBusy(false)
    }
  }
  return (
    <li className="holder" data-testid="holder">
      <span className="holder-name">{holder.name}</span>{' '}
      <span data-testid="holder-balance">
        {m('balance')}: {amountText(account.balance, currency.code)}
      </span>{' '}
      <span className="hint" data-testid="holder-credit-line">
        · {m('creditLine')}: {amountText(current || '0', currency.code)}
      </span>
      {canSetCreditLine && (
        <form className="row small" onSubmit={submit} noValidate>
          <label htmlFor={inputId}>{m('setCreditLine', { name: holder.name })}</label>
          <input
            id={inputId}
            inputMode="decimal"
            value={value}
            onChange={(event) => setValue(event.target.value)}
            data-testid="credit-line-amount"
          />
          <button type="submit" disabled={busy} data-testid="credit-line-submit">
            {m('setCreditLineSubmit')}
          </button>
        </form>
      )}
      <FormMessage message={message} testId="credit-line-message" />
    </li>
  )
}
