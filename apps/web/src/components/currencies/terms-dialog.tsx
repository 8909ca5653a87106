import { useQuery } from '@tanstack/react-query'
import { useEffect, useRef } from 'react'
import type { ApiClient } from '../../api/client'
import { useMessages } from '../../i18n/screen-messages'
import { queryKeys } from '../../queries/query-keys'
import { FormMessage } from '../form-message'
import { messageOf } from '../messages'
import { CurrencyTerms } from './currency-terms'
import { currencyMessages } from './messages'

/**
 * A currency's terms in a modal dialog, where the wallet shows the currency: the browser's own <dialog> traps
 * focus and closes on Escape; the trigger gets focus back (see TermsButton).
 */
export function TermsDialog({ api, code, onClose }: { api: ApiClient; code: string; onClose(): void }) {
  const i18n = useMessages(currencyMessages)
  const { m } = i18n
  const dialog = useRef<HTMLDialogElement>(null)
  useEffect(() => {
    const element = dialog.current
    if (element && !element.open) element.showModal()
  }, [])
  const currency = useQuery({ queryKey: queryKeys.currencies.one(code), queryFn: () => api.currency(code) })
  const name = currency.data?.name ?? code
  return (
    <dialog
      ref={dialog}
      className="terms-dialog"
      onClose={onClose}
      aria-labelledby="terms-dialog-title"
      data-testid="terms-dialog"
    >
      <h2 id="terms-dialog-title">{m('readTerms', { name })}</h2>
      <FormMessage message={currency.error ? messageOf(i18n, currency.error) : null} />
      {currency.data ? (
        <CurrencyTerms api={api} currency={currency.data} idPrefix="terms-dialog" />
      ) : (
        !currency.error && <p className="hint">{i18n.t('common.loading')}</p>
      )}
      <div className="row">
        <button type="button" onClick={() => dialog.current?.close()} data-testid="terms-close">
          {m('close')}
        </button>
      </div>
    </dialog>
  )
}
