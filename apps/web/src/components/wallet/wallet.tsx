import type { Currency, User } from '@quartiere/contracts'
import { useQueryClient } from '@tanstack/react-query'
import { useMemo, useState } from 'react'
import type { ApiClient } from '../../api/client'
import { ApiProblem } from '../../api/problem'
import { useI18n } from '../../i18n/i18n'
import type { LiveHub } from '../../live/hub'
import type { PageProps } from '../../pages'
import { queryKeys } from '../../queries/query-keys'
import type { SessionStore } from '../../session/session'
import { CampaignList } from '../campaigns'
import { TermsButton } from '../currencies/terms-button'
import { EmailNotice } from '../email-links/email-notice'
import { FormMessage } from '../form-message'
import { problemMessage } from '../messages'
import { Balances, CurrencyList } from './balances'
import { ExchangeList } from './exchanges'
import { GroupAccounts } from './group-accounts'
import { Redeem } from './redeem'
import { SendCredits } from './send-credits'
import { Statement } from './statement'
import { byCurrency, timeCurrency, useAccounts, useCurrencies, useExchanges } from './wallet-queries'

export interface WalletProps {
  api: ApiClient
  user: User
  hub: LiveHub
  /** Given, the wallet says when the member's address still has to be confirmed (and why). */
  session?: SessionStore
}

/**
 * The wallet page: the member's balances in each currency, paying and redeeming, campaigns, exchanges of time,
 * the chosen currency's statement and the accounts of their groups. Everything it shows is read through the
 * query cache, which the live feed's transfer and exchange events mark stale (see queries/live-invalidation.ts).
 */
/** The wallet as the shell opens it. */
export function WalletPage({ api, user, hub, session }: PageProps) {
  return user ? <Wallet api={api} user={user} hub={hub} session={session} /> : null
}

export function Wallet({ api, user, hub, session }: WalletProps) {
  const i18n = useI18n()
  const { t } = i18n
  const queryClient = useQueryClient()
  const [selected, setSelected] = useState(timeCurrency)
  const accounts = useAccounts(api, user.id)
  const exchanges = useExchanges(api, user.id)
  const failure = accounts.error ?? exchanges.error
  const error = failure
    ? failure instanceof ApiProblem
      ? problemMessage(i18n, failure)
      : String(failure)
    : null

  const all = accounts.data?.items
  const mine = useMemo(
    () =>
      (all ?? [])
        .filter((item) => item.owner.type === 'user' && item.owner.userId === user.id)
        .sort(byCurrency),
    [all, user.id],
  )
  const groupAccounts = useMemo(
    () => (all ?? []).filter((item) => item.owner.type === 'group').sort(byCurrency),
    [all],
  )
  const account = mine.find((item) => item.currency === selected) ?? mine[0] ?? null
  const currencies = useCurrencies(
    api,
    mine.map((item) => item.currency),
  )

  const currency = account?.currency ?? timeCurrency
  const amount = (value: string, code = currency) =>
    t('wallet.amount', { amount: i18n.decimal(value), currency: code })
  const scales: Record<string, number> = { [timeCurrency]: 2 }
  for (const item of Object.values(currencies)) scales[item.code] = item.scale
  const nameOf = (code: string) =>
    code === timeCurrency ? t('wallet.timeCredits') : (currencies[code]?.name ?? code)
  return (
    <main className="wallet" aria-labelledby="wallet-title">
      <h1 id="wallet-title">{t('wallet.title')}</h1>
      {session && <EmailNotice api={api} session={session} user={user} />}
      <FormMessage message={error} />
      <CurrencyList
        accounts={mine}
        currencies={currencies}
        selected={currency}
        onSelect={setSelected}
        nameOf={nameOf}
        amount={amount}
      />
      {account && <Balances account={account} amount={amount} />}
      {currency !== timeCurrency && <TermsButton api={api} code={currency} name={nameOf(currency)} />}
      <SendCredits
        api={api}
        currencies={mine.map((item) => item.currency)}
        currency={currency}
        scales={scales}
        onCurrency={setSelected}
        nameOf={nameOf}
      />
      {currencies[currency]?.kind === 'coupon' && account && (
        <Redeem api={api} currency={currencies[currency] as Currency} />
      )}
      <section aria-labelledby="campaigns-title">
        <h2 id="campaigns-title">{t('campaign.title')}</h2>
        <CampaignList
          api={api}
          user={user}
          hub={hub}
          scales={scales}
          onMoneyMoved={() => void queryClient.invalidateQueries({ queryKey: queryKeys.wallet.all })}
        />
      </section>
      <ExchangeList api={api} user={user} exchanges={exchanges.data?.items ?? []} />
      <Statement api={api} accountId={account?.id ?? null} currencyName={nameOf(currency)} />
      <GroupAccounts accounts={groupAccounts} amount={amount} />
    </main>
  )
}
