import type { Account, Currency } from '@quartiere/contracts'
import { useI18n } from '../../i18n/i18n'

/** The member's currencies, one button each to choose which one the wallet shows (when they hold more than one). */
export function CurrencyList({
  accounts,
  currencies,
  selected,
  onSelect,
  nameOf,
  amount,
}: {
  accounts: Account[]
  currencies: Record<string, Currency>
  selected: string
  onSelect(code: string): void
  nameOf(code: string): string
  amount(value: string, code?: string): string
}) {
  const { t } = useI18n()
  if (accounts.length <= 1) return null
  return (
    <section aria-labelledby="currencies-title">
      <h2 id="currencies-title">{t('wallet.currencies')}</h2>
      <ul className="currency-list" data-testid="currency-list">
        {accounts.map((item) => (
          <li key={item.id}>
            <button
              type="button"
              aria-pressed={item.currency === selected}
              onClick={() => onSelect(item.currency)}
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
  )
}

/** The chosen account's figures: balance, what is available, the credit line and what is held. */
export function Balances({ account, amount }: { account: Account; amount(value: string): string }) {
  const { t } = useI18n()
  return (
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
  )
}
