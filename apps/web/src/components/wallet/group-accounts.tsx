import type { Account } from '@quartiere/contracts'
import { useI18n } from '../../i18n/i18n'

/** The accounts of the groups the member keeps the books of. */
export function GroupAccounts({
  accounts,
  amount,
}: {
  accounts: Account[]
  amount(value: string, code?: string): string
}) {
  const { t } = useI18n()
  if (accounts.length === 0) return null
  return (
    <section aria-labelledby="group-accounts-title">
      <h2 id="group-accounts-title">{t('wallet.groupAccounts')}</h2>
      <ul className="group-accounts">
        {accounts.map((item) => (
          <li key={item.id}>
            {item.owner.name ?? item.owner.groupId} · {amount(item.balance, item.currency)}
          </li>
        ))}
      </ul>
    </section>
  )
}
