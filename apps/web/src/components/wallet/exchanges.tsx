import type { Exchange, User } from '@quartiere/contracts'
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import type { ApiClient } from '../../api/client'
import { ApiProblem } from '../../api/problem'
import { useI18n } from '../../i18n/i18n'
import { queryKeys } from '../../queries/query-keys'
import { FormMessage } from '../form-message'
import { problemMessage } from '../messages'

/** The exchanges of time the member gives or receives: confirm the hours received, or cancel. */
export function ExchangeList({
  api,
  user,
  exchanges,
}: {
  api: ApiClient
  user: User
  exchanges: Exchange[]
}) {
  const { t } = useI18n()
  return (
    <section aria-labelledby="exchanges-title">
      <h2 id="exchanges-title">{t('wallet.exchanges')}</h2>
      {exchanges.length === 0 ? (
        <p className="empty">{t('wallet.noExchanges')}</p>
      ) : (
        <ul className="exchanges">
          {exchanges.map((exchange) => (
            <ExchangeRow key={exchange.id} api={api} user={user} exchange={exchange} />
          ))}
        </ul>
      )}
    </section>
  )
}

function ExchangeRow({ api, user, exchange }: { api: ApiClient; user: User; exchange: Exchange }) {
  const i18n = useI18n()
  const { t } = i18n
  const queryClient = useQueryClient()
  const [hours, setHours] = useState(exchange.hours)
  const receiving = exchange.receiverId === user.id
  // Confirming or cancelling moves (or frees) the held credits: the whole wallet reads again.
  const act = useMutation({
    mutationFn: (action: () => Promise<unknown>) => action(),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.wallet.all }),
  })
  const error = act.error
    ? act.error instanceof ApiProblem
      ? problemMessage(i18n, act.error)
      : String(act.error)
    : null
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
              <button type="button" onClick={() => act.mutate(() => api.confirmExchange(exchange.id, hours))}>
                {t('wallet.confirm')}
              </button>
            </>
          )}
          <button type="button" onClick={() => act.mutate(() => api.cancelExchange(exchange.id))}>
            {t('common.cancel')}
          </button>
        </div>
      )}
      <FormMessage message={error} />
    </li>
  )
}
