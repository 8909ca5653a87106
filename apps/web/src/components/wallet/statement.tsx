import type { ApiClient } from '../../api/client'
import { useI18n } from '../../i18n/i18n'
import { StatementCsvButton } from '../opendata/statement-csv'
import { useStatement } from './wallet-queries'

/** The chosen account's transfers, newest first, with the balance after each; older ones a page at a time. */
export function Statement({
  api,
  accountId,
  currencyName,
}: {
  api: ApiClient
  accountId: string | null
  currencyName: string
}) {
  const i18n = useI18n()
  const { t } = i18n
  const statement = useStatement(api, accountId)
  const lines = accountId ? (statement.data?.pages.flatMap((page) => page.items) ?? []) : []
  return (
    <section aria-labelledby="statement-title">
      <h2 id="statement-title">
        {t('wallet.statement')} · {currencyName}
      </h2>
      {accountId && lines.length > 0 && <StatementCsvButton api={api} accountId={accountId} />}
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
      {accountId && statement.hasNextPage && (
        <button type="button" onClick={() => void statement.fetchNextPage()}>
          {t('wallet.older')}
        </button>
      )}
    </section>
  )
}
