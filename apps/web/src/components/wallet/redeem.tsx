import type { Currency } from '@quartiere/contracts'
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { type FormEvent, useState } from 'react'
import { type ApiClient, newIdempotencyKey } from '../../api/client'
import { ApiProblem } from '../../api/problem'
import { useI18n } from '../../i18n/i18n'
import { queryKeys } from '../../queries/query-keys'
import { formatMinor, parseTypedAmount } from '../../state/amounts'
import { FormMessage, type FormNote } from '../form-message'
import { messageOf } from '../messages'

/** Give coupons back to the group that issued them, for the goods or services they promise. */
export function Redeem({ api, currency }: { api: ApiClient; currency: Currency }) {
  const i18n = useI18n()
  const { t } = i18n
  const queryClient = useQueryClient()
  const [amount, setAmount] = useState('')
  const [key, setKey] = useState(newIdempotencyKey)
  const [message, setMessage] = useState<FormNote | null>(null)
  const redeem = useMutation({
    mutationFn: (value: string) => api.redeem(currency.code, value, key),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.wallet.all }),
  })
  const submit = async (event: FormEvent) => {
    event.preventDefault()
    const units = parseTypedAmount(amount, currency.scale)
    if (units === null) {
      setMessage({ ok: false, text: t('wallet.invalidAmountFor', { decimals: String(currency.scale) }) })
      return
    }
    setMessage(null)
    try {
      const value = formatMinor(units, currency.scale)
      await redeem.mutateAsync(value)
      setMessage({
        ok: true,
        text: t('wallet.redeemed', {
          amount: t('wallet.amount', { amount: i18n.decimal(value), currency: currency.code }),
        }),
      })
      setAmount('')
      setKey(newIdempotencyKey())
    } catch (failure) {
      setMessage({
        ok: false,
        text: messageOf(i18n, failure),
      })
      if (failure instanceof ApiProblem && failure.status !== 0) setKey(newIdempotencyKey())
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
      <button type="submit" disabled={redeem.isPending} data-testid="redeem-submit">
        {t('wallet.redeemButton')}
      </button>
      <FormMessage message={message} testId="redeem-message" />
    </form>
  )
}
