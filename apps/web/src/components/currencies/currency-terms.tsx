import type { Currency } from '@quartiere/contracts'
import { useQuery } from '@tanstack/react-query'
import type { ApiClient } from '../../api/client'
import { currencyTermsText } from '../../api/currencies'
import { useMessages } from '../../i18n/screen-messages'
import { queryKeys } from '../../queries/query-keys'
import { FormMessage } from '../form-message'
import { messageOf } from '../messages'
import { currencyMessages } from './messages'
import './currencies.css'

/** A currency's amount in the reader's number format, with its code. */
export function useAmount() {
  const i18n = useMessages(currencyMessages)
  return (value: string, code: string) =>
    i18n.t('wallet.amount', { amount: i18n.decimal(value), currency: code })
}

/**
 * Everything a person should know before accepting a currency: who issues it, what kind it is, its cap and
 * limits, how much of it exists and circulates, and the terms document itself (with its recorded hash).
 */
export function CurrencyTerms({
  api,
  currency,
  idPrefix,
}: {
  api: ApiClient
  currency: Currency
  idPrefix: string
}) {
  const i18n = useMessages(currencyMessages)
  const { m } = i18n
  const amount = useAmount()
  const money = (value: string) => amount(value, currency.code)
  const issuerId = currency.issuerGroupId
  const issuer = useQuery({
    queryKey: queryKeys.entity.detail(issuerId ?? ''),
    enabled: issuerId !== null,
    queryFn: () => api.getEntity(issuerId ?? ''),
    staleTime: 60_000,
  })
  const terms = useQuery({
    queryKey: queryKeys.currencies.terms(currency.code),
    staleTime: Number.POSITIVE_INFINITY,
    queryFn: () => currencyTermsText(api, currency.code),
  })
  const { supply, caps } = currency
  return (
    <div className="currency-terms" data-testid={`terms-${currency.code}`}>
      {currency.description && <p>{currency.description}</p>}
      <dl className="currency-facts">
        <div>
          <dt>{m('kind')}</dt>
          <dd data-testid="currency-kind">{m(`kind_${currency.kind}`)}</dd>
        </div>
        <div>
          <dt>{m('issuer')}</dt>
          <dd data-testid="currency-issuer">
            {issuerId === null ? m('issuerPlatform') : (issuer.data?.value.properties.title ?? '…')}
          </dd>
        </div>
        <div>
          <dt>{m('decimals')}</dt>
          <dd>{currency.scale}</dd>
        </div>
        <div>
          <dt>{m('supplyCap')}</dt>
          <dd data-testid="currency-cap">{supply.cap === null ? m('noCap') : money(supply.cap)}</dd>
        </div>
        <div>
          <dt>{m('defaultCreditLine')}</dt>
          <dd>{money(currency.creditLine)}</dd>
        </div>
        <div>
          <dt>{m('transferMax')}</dt>
          <dd>{caps.transferAmountMax === null ? m('unlimited') : money(caps.transferAmountMax)}</dd>
        </div>
        <div>
          <dt>{m('dailyMax')}</dt>
          <dd>{caps.dailyAmountMax === null ? m('unlimited') : money(caps.dailyAmountMax)}</dd>
        </div>
        <div>
          <dt>{m('dailyTransfers')}</dt>
          <dd>{caps.dailyTransfersMax === null ? m('unlimited') : i18n.number(caps.dailyTransfersMax)}</dd>
        </div>
      </dl>
      <h4 id={`${idPrefix}-circulation`}>{m('circulation')}</h4>
      <dl className="currency-facts" aria-labelledby={`${idPrefix}-circulation`} data-testid="circulation">
        <div>
          <dt>{m('minted')}</dt>
          <dd data-testid="circulation-minted">{money(supply.minted)}</dd>
        </div>
        <div>
          <dt>{m('redeemed')}</dt>
          <dd data-testid="circulation-redeemed">{money(supply.redeemed)}</dd>
        </div>
        <div>
          <dt>{m('outstanding')}</dt>
          <dd data-testid="circulation-outstanding">{money(supply.outstanding)}</dd>
        </div>
        {supply.mintable !== null && (
          <div>
            <dt>{m('mintable')}</dt>
            <dd data-testid="circulation-mintable">{money(supply.mintable)}</dd>
          </div>
        )}
      </dl>
      <h4 id={`${idPrefix}-terms`}>{m('terms')}</h4>
      <FormMessage message={terms.error ? messageOf(i18n, terms.error) : null} />
      {terms.data === undefined ? (
        !terms.error && <p className="hint">{m('termsLoading')}</p>
      ) : (
        <blockquote className="terms-text" aria-labelledby={`${idPrefix}-terms`} data-testid="terms-text">
          {terms.data}
        </blockquote>
      )}
      <p className="hint terms-hash">{m('termsHash', { hash: currency.termsSha256 })}</p>
    </div>
  )
}
