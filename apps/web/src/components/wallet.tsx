import type { Account, Exchange, MemberSummary, StatementLine, User } from '@quartiere/contracts'
import { type FormEvent, useCallback, useEffect, useState } from 'react'
import { type ApiClient, newIdempotencyKey } from '../api/client'
import { ApiProblem } from '../api/problem'
import { useI18n } from '../i18n/i18n'
import { problemMessage } from './messages'

export interface WalletProps {
  api: ApiClient
  user: User
  /** Bumped by live transfer and exchange events: the wallet reads its figures again. */
  revision: number
}

/** Wait for a pause in typing before asking who is called that. */
const memberSearchDebounceMs = 250

export function Wallet({ api, user, revision }: WalletProps) {
  const i18n = useI18n()
  const { t } = i18n
  const [account, setAccount] = useState<Account | null>(null)
  const [lines, setLines] = useState<StatementLine[]>([])
  const [nextCursor, setNextCursor] = useState<string | null>(null)
  const [exchanges, setExchanges] = useState<Exchange[]>([])
  const [error, setError] = useState<string | null>(null)
  const [reloads, setReloads] = useState(0)
  const reload = useCallback(() => setReloads((value) => value + 1), [])

  // biome-ignore lint/correctness/useExhaustiveDependencies: revision and reloads ask for a fresh read.
  useEffect(() => {
    let cancelled = false
    const load = async () => {
      const accounts = await api.accounts()
      const mine =
        accounts.items.find((item) => item.owner.type === 'user' && item.owner.userId === user.id) ??
        accounts.items[0] ??
        null
      const [statement, exchangePage] = await Promise.all([
        mine ? api.statement(mine.id) : Promise.resolve({ items: [], nextCursor: null }),
        api.exchanges(),
      ])
      if (cancelled) return
      setAccount(mine)
      setLines(statement.items)
      setNextCursor(statement.nextCursor)
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

  const more = async () => {
    if (!account || !nextCursor) return
    const page = await api.statement(account.id, nextCursor)
    setLines((current) => [...current, ...page.items])
    setNextCursor(page.nextCursor)
  }

  const currency = account?.currency ?? 'TIME'
  const amount = (value: string) => t('wallet.amount', { amount: i18n.decimal(value), currency })
  return (
    <main className="wallet" aria-labelledby="wallet-title">
      <h1 id="wallet-title">{t('wallet.title')}</h1>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
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
              {account.lowerLimit === null ? t('wallet.none') : amount(account.lowerLimit.replace(/^-/, ''))}
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
      <SendCredits api={api} currency={currency} onSent={reload} />
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
        <h2 id="statement-title">{t('wallet.statement')}</h2>
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
    </main>
  )
}

function SendCredits({ api, currency, onSent }: { api: ApiClient; currency: string; onSent(): void }) {
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
    setBusy(true)
    setMessage(null)
    try {
      await api.transfer(
        {
          to: { userId: recipient.id },
          amount: amount.trim(),
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
          placeholder="1.50"
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
