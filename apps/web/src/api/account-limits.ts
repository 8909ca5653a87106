import type { Account } from '@quartiere/contracts'
import type { ApiClient, Page } from './client'

/** A member's accounts in every currency, with their limits (admins). */
export function memberAccounts(api: ApiClient, userId: string) {
  return api.request<Page<Account>>(`/api/ledger/members/${encodeURIComponent(userId)}/accounts`, {
    auth: 'required',
  })
}

/** An admin sets an account's lower limit (zero or below: the credit line) and upper limit; null: none. */
export function setAccountLimits(
  api: ApiClient,
  accountId: string,
  limits: { lowerLimit: string | null; upperLimit: string | null },
) {
  return api.request<Account>(`/api/ledger/accounts/${encodeURIComponent(accountId)}/limits`, {
    method: 'PATCH',
    body: limits,
    auth: 'required',
  })
}
