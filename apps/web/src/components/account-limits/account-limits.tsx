import type { Account, MemberSummary } from '@quartiere/contracts'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { type FormEvent, useState } from 'react'
import { memberAccounts, setAccountLimits } from '../../api/account-limits'
import type { ApiClient } from '../../api/client'
import { useMessages } from '../../i18n/screen-messages'
import { queryKeys } from '../../queries/query-keys'
import { decimalsOf, formatMinor, parseTypedAmount } from '../../state/amounts'
import { MemberPicker } from '../currencies/member-picker'
import { FormMessage, type FormNote } from '../form-message'
import { messageOf } from '../messages'
import { TextField } from '../text-field'
import { limitsMessages } from './messages'

/**
 * The admins' limits form: a member found in the directory, each of their accounts with its balance, credit line
 * and upper limit, changed one account at a time. The API says no when an account is already past a new limit.
 */
export function AccountLimits({ api }: { api: ApiClient }) {
  const i18n = useMessages(limitsMessages)
  const { m } = i18n
  const [member, setMember] = useState<MemberSummary | null>(null)
  const accounts = useQuery({
    queryKey: queryKeys.admin.accounts(member?.id ?? ''),
    enabled: member !== null,
    queryFn: () => memberAccounts(api, member?.id ?? ''),
  })
  return (
    <section className="admin-roles" aria-labelledby="limits-title" data-testid="account-limits">
      <h2 id="limits-title">{m('title')}</h2>
      <p className="hint">{m('hint')}</p>
      <MemberPicker
        api={api}
        id="limits-member"
        label={m('member')}
        member={member}
        onChange={setMember}
        testId="limits-member"
      />
      <FormMessage message={accounts.error ? messageOf(i18n, accounts.error) : null} />
      {member && accounts.data && accounts.data.items.length === 0 && <p className="empty">{m('none')}</p>}
      {member &&
        accounts.data?.items.map((account) => (
          <LimitsForm key={account.id} api={api} account={account} member={member} />
        ))}
    </section>
  )
}

function LimitsForm({ api, account, member }: { api: ApiClient; account: Account; member: MemberSummary }) {
  const i18n = useMessages(limitsMessages)
  const { m } = i18n
  const queryClient = useQueryClient()
  const scale = decimalsOf(account.balance)
  const [lower, setLower] = useState(account.lowerLimit === null ? '' : account.lowerLimit.replace(/^-/, ''))
  const [upper, setUpper] = useState(account.upperLimit ?? '')
  const [busy, setBusy] = useState(false)
  const [message, setMessage] = useState<FormNote | null>(null)
  const money = (value: string) =>
    i18n.t('wallet.amount', { amount: i18n.decimal(value), currency: account.currency })
  const id = `limits-${account.id}`

  // Empty: no limit; zero allowed; otherwise a positive amount at the currency's decimals.
  const read = (text: string): string | null | undefined => {
    const typed = text.trim()
    if (!typed) return null
    if (/^0+([.,]0*)?$/.test(typed)) return formatMinor(0n, scale)
    const units = parseTypedAmount(typed, scale)
    return units === null ? undefined : formatMinor(units, scale)
  }
  const submit = async (event: FormEvent) => {
    event.preventDefault()
    const lowerValue = read(lower)
    const upperValue = read(upper)
    if (lowerValue === undefined || upperValue === undefined) {
      setMessage({ ok: false, text: m('invalid', { decimals: scale }) })
      return
    }
    setBusy(true)
    setMessage(null)
    try {
      await setAccountLimits(api, account.id, {
        lowerLimit:
          lowerValue === null ? null : /^0+(\.0*)?$/.test(lowerValue) ? lowerValue : `-${lowerValue}`,
        upperLimit: upperValue,
      })
      setMessage({ ok: true, text: m('saved', { currency: account.currency, name: member.displayName }) })
      await queryClient.invalidateQueries({ queryKey: queryKeys.admin.accounts(member.id) })
    } catch (failure) {
      setMessage({ ok: false, text: messageOf(i18n, failure) })
    } finally {
      setBusy(false)
    }
  }
  return (
    <form
      className="send"
      onSubmit={submit}
      noValidate
      aria-labelledby={`${id}-title`}
      data-testid="limits-form"
    >
      <h3 id={`${id}-title`}>{account.currency}</h3>
      <p data-testid="limits-balance">{m('balance', { amount: money(account.balance) })}</p>
      <p className="hint" data-testid="limits-current">
        {m('current', {
          lower: account.lowerLimit === null ? m('noLimit') : money(account.lowerLimit),
          upper: account.upperLimit === null ? m('noLimit') : money(account.upperLimit),
        })}
      </p>
      <TextField
        id={`${id}-lower`}
        label={m('creditLine')}
        inputMode="decimal"
        value={lower}
        onChange={setLower}
      />
      <TextField
        id={`${id}-upper`}
        label={m('upperLimit')}
        inputMode="decimal"
        value={upper}
        onChange={setUpper}
      />
      <button type="submit" disabled={busy} data-testid="limits-save">
        {m('save', { currency: account.currency })}
      </button>
      <FormMessage message={message} testId="limits-message" />
    </form>
  )
}
