import type { Account, Currency, Exchange, MemberSummary, StatementLine, User } from '@quartiere/contracts'
import { type FormEvent, useCallback, useEffect, useMemo, useState } from 'react'
import { type ApiClient, newIdempotencyKey } from '../api/client'
import { ApiProblem } from '../api/problem'
import { useI18n } from '../i18n/i18n'
import type { LiveHub } from '../live/hub'
import { formatMinor, parseTypedAmount } from '../state/amounts'
import { CampaignList } from './campaigns'
import { problemMessage } from './messages'

export interface WalletProps {
  api: ApiClient
  user: User
  /** Bumped by live transfer and exchange events: the wallet reads its figures again. */
  revision: number
  hub: LiveHub
}

/** Time credits: every member holds them; community currencies come after, by code. */
const timeCurrency = 'TIME'
/** Currencies read for their names, kinds and scales (one page of the API's largest). */
const currencyPagesMax = 5

function byCurrency(a: Account, b: Account): number {
  if (a.currency === timeCurrency) return -1
  if (b.currency === timeCurrency) return 1
  return a.currency.localeCompare(b.currency)
}

/** Wait for a pause in typing before asking who is called that. */
const memberSearchDebounceMs = 250

export function Wallet({ api, user, revision, hub }: WalletProps) {
  const i18n = useI18n()
  const { t } = i18n
  const [accounts, setAccounts] = useState<Account[]>([])
  const [currencies, setCurrencies] = useState<Record<string, Currency>>({})
  const [selected, setSelected] = useState(timeCurrency)
  const [lines, setLines] = useState<StatementLine[]>([])
  const [nextCursor, setNextCursor] = useState<string | null>(null)
  const [exchanges, setExchanges] = useState<Exchange[]>([])
  const [error, setError] = useState<string | null>(null)
  const [reloads, setReloads] = useState(0)
  const reload = useCallback(() => setReloads((value) => value + 1), [])

  const mine = useMemo(
    () =>
      accounts.filter((item) => item.owner.type === 'user' && item.owner.userId === user.id).sort(byCurrency),
    [accounts, user.id],
  )
  const groupAccounts = useMemo(
    () => accounts.filter((item) => item.owner.type === 'group').sort(byCurrency),
    [accounts],
  )
  const account = mine.find((item) => item.currency === selected) ?? mine[0] ?? null

  // The currencies' names, kinds and scales: read once (they change rarely; new ones show by code meanwhile).
  useEffect(() => {
    let cancelled = false
    const load = async () => {
      const byCode: Record<string, Currency> = {}
      let cursor: string | undefined
      for (let page = 0; page < currencyPagesMax; page += 1) {
        const list = await api.currencies(cursor)
        for (const currency of list.items) byCode[currency.code] = currency
        if (!list.nextCursor) break
        cursor = list.nextCursor
      }
      if (!cancelled) setCurrencies(byCode)
    }
    load().catch(() => undefined)
    return () => {
      cancelled = true
    }
  }, [api])

  // A currency received since (a mint, a first payment): read what it is.
  const unknownCodes = mine
    .map((item) => item.currency)
    .filter((code) => code !== timeCurrency && !currencies[code])
    .join(',')
  useEffect(() => {
    if (!unknownCodes) return
    let cancelled = false
    Promise.all(unknownCodes.split(',').map((code) => api.currency(code).catch(() => null)))
      .then((found) => {
        if (cancelled) return
        setCurrencies((current) => {
          const next = { ...current }
          for (const item of found) if (item) next[item.code] = item
          return next
        })
      })
      .catch(() => undefined)
    return () => {
      cancelled = true
    }
  }, [api, unknownCodes])

  // biome-ignore lint/correctness/useExhaustiveDependencies: revision and reloads ask for a fresh read.
  useEffect(() => {
    let cancelled = false
    const load = async () => {
      const [list, exchangePage] = await Promise.all([api.accounts(), api.exchanges()])
      if (cancelled) return
      setAccounts(list.items)
      setExchanges(exchangePage.items)
      setError(null)
    }
    load().catch((failure: unknown) => {
      if (!cancelled)
        setError(failure instanceof ApiProblem ? problemMessage(i18n, failure) : String(failure))
    })
    return () => {
      cancelled = true
    }
  }, [api, user.id, revision, reloads])

  // The statement of the chosen currency's account, again whenever its balance moves.
  const accountId = account?.id ?? null
  const accountBalance = account ? `${account.balance}/${account.debitsPending}` : ''
  // biome-ignore lint/correctness/useExhaustiveDependencies: a moved balance asks for a fresh statement.
  useEffect(() => {
    if (!accountId) {
      setLines([])
      setNextCursor(null)
      return
    }
    let cancelled = false
    api
      .statement(accountId)
      .then((statement) => {
        if (cancelled) return
        setLines(statement.items)
        setNextCursor(statement.nextCursor)
      })
      .catch(() => undefined)
    return () => {
      cancelled = true
    }
  }, [api, accountId, accountBalance])

  const more = async () => {
    if (!account || !nextCursor) return
    const page = await api.statement(account.id, nextCursor)
    setLines((current) => [...current, ...page.items])
    setNextCursor(page.nextCursor)
  }

  const currency = account?.currency ?? timeCurrency
  const amount = (value: string, code = currency) =>
    t('wallet.amount', { amount: i18n.decimal(value), currency: code })
  const scales = useMemo(() => {
    const result: Record<string, number> = { [timeCurrency]: 2 }
    for (const item of Object.values(currencies)) result[item.code] = item.scale
    return result
  }, [currencies])
  const nameOf = (code: string) =>
    code === timeCurrency ? t('wallet.timeCredits') : (currencies[code]?.name ?? code)
  return (
    <main className="wallet" aria-labelledby="wallet-title">
      <h1 id="wallet-title">{t('wallet.title')}</h1>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {mine.length > 1 && (
        <section aria-labelledby="currencies-title">
          <h2 id="currencies-title">{t('wallet.currencies')}</h2>
          <ul className="currency-list" data-testid="currency-list">
            {mine.map((item) => (
              <li key={item.id}>
                <button
                  type="button"
                  aria-pressed={item.currency === currency}
                  onClick={() => setSelected(item.currency)}
                  data-testid={`currency-${item.currency}`}
                >
                  <span className="currency-name">{nameOf(item.currency)}</span>{' '}
                  <span data-testid={`balance-${item.currency}`}>{amount(item.balance, item.currency)}</span>
                  {currencies[item.currency]?.kind === 'coupon' && (
                    <small className="hint"> · {t('wallet.coupon')}</small>
                  )}
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
      {account && (
        <dl className="balances" data-testid="balances">
          <div>
            <dt>{t('wallet.balance')}</dt>
            <dd data-testid="balance">{amount(account.balance)}</dd>
          </div>
          <div>
            <dt>{t('wallet.available')}</dt>
            <dd data-testid="available">{amount(account.available)}</dd>
          </div>
          <div>
            <dt>{t('wallet.creditLine')}</dt>
            <dd>
              {account.lowerLimit === null || Number(account.lowerLimit) === 0
                ? t('wallet.none')
                : amount(account.lowerLimit.replace(/^-/, ''))}
            </dd>
          </div>
          {account.debitsPending !== '0' && Number(account.debitsPending) !== 0 && (
            <div>
              <dt>{t('wallet.held')}</dt>
              <dd>{amount(account.debitsPending)}</dd>
            </div>
          )}
        </dl>
      )}
      <SendCredits
        api={api}
        currencies={mine.map((item) => item.currency)}
        currency={currency}
        scales={scales}
        onCurrency={setSelected}
        nameOf={nameOf}
        onSent={reload}
      />
      {currencies[currency]?.kind === 'coupon' && account && (
        <Redeem api={api} currency={currencies[currency] as Currency} onRedeemed={reload} />
      )}
      <section aria-labelledby="campaigns-title">
        <h2 id="campaigns-title">{t('campaign.title')}</h2>
        <CampaignList api={api} user={user} hub={hub} scales={scales} onMoneyMoved={reload} />
      </section>
      <section aria-labelledby="exchanges-title">
        <h2 id="exchanges-title">{t('wallet.exchanges')}</h2>
        {exchanges.length === 0 ? (
          <p className="empty">{t('wallet.noExchanges')}</p>
        ) : (
          <ul className="exchanges">
            {exchanges.map((exchange) => (
              <ExchangeRow key={exchange.id} api={api} user={user} exchange={exchange} onChanged={reload} />
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="statement-title">
        <h2 id="statement-title">
          {t('wallet.statement')} · {nameOf(currency)}
        </h2>
        {lines.length === 0 ? (
          <p className="empty">{t('wallet.noTransfers')}</p>
        ) : (
          <table className="statement" data-testid="statement">
            <thead>
              <tr>
                <th scope="col">{t('wallet.date')}</th>
                <th scope="col">{t('wallet.memo')}</th>
                <th scope="col">{t('wallet.state')}</th>
                <th scope="col" className="number">
                  {t('wallet.change')}
                </th>
                <th scope="col" className="number">
                  {t('wallet.runningBalance')}
                </th>
              </tr>
            </thead>
            <tbody>
              {lines.map((line) => (
                <tr key={line.id}>
                  <td>{i18n.dateTime(line.createdAt)}</td>
                  <td>{line.memo || '—'}</td>
                  <td>{t(`state.${line.state}`)}</td>
                  <td className={line.direction === 'credit' ? 'number credit' : 'number debit'}>
                    {line.direction === 'credit' ? '+' : '−'}
                    {i18n.decimal(line.amount)}
                  </td>
                  <td className="number">{i18n.decimal(line.balance)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {nextCursor && (
          <button type="button" onClick={() => void more()}>
            {t('wallet.older')}
          </button>
        )}
      </section>
      {groupAccounts.length > 0 && (
        <section aria-labelledby="group-accounts-title">
          <h2 id="group-accounts-title">{t('wallet.groupAccounts')}</h2>
          <ul className="group-accounts">
            {groupAccounts.map((item) => (
              <li key={item.id}>
                {item.owner.name ?? item.owner.groupId} · {amount(item.balance, item.currency)}
              </li>
            ))}
          </ul>
        </section>
      )}
    </main>
  )
}

/** Give coupons back to the group that issued them, for the goods or services they promise. */
function Redeem({ api, currency, onRedeemed }: { api: ApiClient; currency: Currency; onRedeemed(): void }) {
  const i18n = useI18n()
  const { t } = i18n
  const [amount, setAmount] = useState('')
  const [key, setKey] = useState(newIdempotencyKey)
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null)
  const [busy, setBusy] = useState(false)
  const submit = async (event: FormEvent) => {
    event.preventDefault()
    const units = parseTypedAmount(amount, currency.scale)
    if (units === null) {
      setMessage({ ok: false, text: t('wallet.invalidAmountFor', { decimals: String(currency.scale) }) })
      return
    }
    setBusy(true)
    setMessage(null)
    try {
      const value = formatMinor(units, currency.scale)
      await api.redeem(currency.code, value, key)
      setMessage({
        ok: true,
        text: t('wallet.redeemed', {
          amount: t('wallet.amount', { amount: i18n.decimal(value), currency: currency.code }),
        }),
      })
      setAmount('')
      setKey(newIdempotencyKey())
      onRedeemed()
    } catch (failure) {
      setMessage({
        ok: false,
        text: failure instanceof ApiProblem ? problemMessage(i18n, failure) : String(failure),
      })
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
      aria-labelledby="redeem-title"
      data-testid="redeem-form"
    >
      <h2 id="redeem-title">{t('wallet.redeem', { name: currency.name })}</h2>
      <p className="hint">{t('wallet.redeemHint')}</p>
      <div className="field">
        <label htmlFor="redeem-amount">{t('wallet.amountLabel', { currency: currency.code })}</label>
        <input
          id="redeem-amount"
          inputMode="numeric"
          value={amount}
          onChange={(event) => setAmount(event.target.value)}
        />
      </div>
      <button type="submit" disabled={busy} data-testid="redeem-submit">
        {t('wallet.redeemButton')}
      </button>
      {message && (
        <p
          role={message.ok ? 'status' : 'alert'}
          className={message.ok ? 'ok' : 'error'}
          data-testid="redeem-message"
        >
          {message.text}
        </p>
      )}
    </form>
  )
}

function SendCredits({
  api,
  currencies,
  currency,
  scales,
  onCurrency,
  nameOf,
  onSent,
}: {
  api: ApiClient
  /** The currencies the member holds (and so may send). */
  currencies: string[]
  currency: string
  scales: Record<string, number>
  onCurrency(code: string): void
  nameOf(code: string): string
  onSent(): void
}) {
  const i18n = useI18n()
  const { t } = i18n
  const [query, setQuery] = useState('')
  const [matches, setMatches] = useState<MemberSummary[]>([])
  const [recipient, setRecipient] = useState<MemberSummary | null>(null)
  const [amount, setAmount] = useState('')
  const [memo, setMemo] = useState('')
  // One key per intended payment: a retry after a network error cannot pay twice.
  const [key, setKey] = useState(newIdempotencyKey)
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null)
  const [busy, setBusy] = useState(false)

  useEffect(() => {
    const text = query.trim()
    if (!text || recipient?.displayName === text) {
      setMatches([])
      return
    }
    const timer = setTimeout(() => {
      api
        .searchMembers(text)
        .then((page) => setMatches(page.items))
        .catch(() => setMatches([]))
    }, memberSearchDebounceMs)
    return () => clearTimeout(timer)
  }, [api, query, recipient])

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
    setBusy(true)
    setMessage(null)
    try {
      await api.transfer(
        {
          to: { userId: recipient.id },
          amount: amount.trim(),
          ...(currency !== timeCurrency ? { currency } : {}),
          ...(memo.trim() ? { memo: memo.trim() } : {}),
        },
        key,
      )
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
      onSent()
    } catch (failure) {
      setMessage({
        ok: false,
        text: failure instanceof ApiProblem ? problemMessage(i18n, failure) : String(failure),
      })
      // A refusal is final for this key (the server answers it the same way): a corrected try needs a new one.
      if (failure instanceof ApiProblem && failure.status !== 0) setKey(newIdempotencyKey())
    } finally {
      setBusy(false)
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
                    setMatches([])
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
      <div className="field">
        <label htmlFor="send-memo">{t('wallet.memo')}</label>
        <input
          id="send-memo"
          value={memo}
          maxLength={500}
          onChange={(event) => setMemo(event.target.value)}
        />
      </div>
      <button type="submit" disabled={busy} data-testid="send-submit">
        {t('wallet.sendButton')}
      </button>
      {message && (
        <p
          role={message.ok ? 'status' : 'alert'}
          className={message.ok ? 'ok' : 'error'}
          data-testid="send-message"
        >
          {message.text}
        </p>
      )}
    </form>
  )
}

function ExchangeRow({
  api,
  user,
  exchange,
  onChanged,
}: {
  api: ApiClient
  user: User
  exchange: Exchange
  onChanged(): void
}) {
  const i18n = useI18n()
  const { t } = i18n
  const [hours, setHours] = useState(exchange.hours)
  const [error, setError] = useState<string | null>(null)
  const receiving = exchange.receiverId === user.id
  const act = async (action: () => Promise<unknown>) => {
    setError(null)
    try {
      await action()
      onChanged()
    } catch (failure) {
      setError(failure instanceof ApiProblem ? problemMessage(i18n, failure) : String(failure))
    }
  }
  return (
    <li className="exchange-row">
      <p>
        <strong>{exchange.entityTitle}</strong> — {receiving ? t('wallet.youReceive') : t('wallet.youGive')} ·{' '}
        {t('wallet.hours', { hours: i18n.decimal(exchange.postedHours ?? exchange.hours) })} ·{' '}
        {t(`state.${exchange.state}`)}
        {exchange.state === 'pending' && exchange.expiresAt && (
          <> · {t('wallet.expires', { date: i18n.dateTime(exchange.expiresAt) })}</>
        )}
      </p>
      {exchange.state === 'pending' && (
        <div className="row">
          {receiving && (
            <>
              <label>
                {t('field.hours')}
                <input
                  inputMode="decimal"
                  value={hours}
                  size={6}
                  onChange={(event) => setHours(event.target.value)}
                />
              </label>
              <button type="button" onClick={() => void act(() => api.confirmExchange(exchange.id, hours))}>
                {t('wallet.confirm')}
              </button>
            </>
          )}
          <button type="button" onClick={() => void act(() => api.cancelExchange(exchange.id))}>
            {t('common.cancel')}
          </button>
        </div>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </li>
  )
}
