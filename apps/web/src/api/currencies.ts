import type {
  Account,
  Currency,
  CurrencyCreateBody,
  CurrencyHolder,
  IssuingGroup,
  Transfer,
  TransferCaps,
} from '@quartiere/contracts'
import type { ApiClient, Page } from './client'

/** The issuers' calls: currencies as the reader sees them (with `can`), issuing, minting, caps, credit lines. */
const base = '/api/ledger/currencies'
const one = (code: string) => `${base}/${encodeURIComponent(code)}`

/** Every currency, a page of the API's largest at a time; signed in, each says what the reader may do. */
export function listCurrencies(api: ApiClient, cursor?: string) {
  return api.request<Page<Currency>>(base, { query: { cursor, limit: 200 } })
}

/** The terms document a currency was issued under, as the issuer wrote it. */
export async function currencyTermsText(api: ApiClient, code: string): Promise<string> {
  const response = await api.requestResponse(`${one(code)}/terms`, { headers: { accept: 'text/plain' } })
  return response.text()
}

export function issuingGroups(api: ApiClient) {
  return api.request<{ items: IssuingGroup[] }>(`${base}/issuing-groups`, { auth: 'required' })
}

export function createCurrency(api: ApiClient, body: CurrencyCreateBody) {
  return api.request<Currency>(base, { method: 'POST', body, auth: 'required' })
}

/** New units into a member's account; the key makes a retry mint once. */
export function mint(
  api: ApiClient,
  code: string,
  body: { to: { userId: string }; amount: string; memo: string },
  idempotencyKey: string,
) {
  return api.request<Transfer>(`${one(code)}/mint`, {
    method: 'POST',
    body,
    headers: { 'idempotency-key': idempotencyKey },
    auth: 'required',
  })
}

export function setCaps(api: ApiClient, code: string, caps: TransferCaps) {
  return api.request<Currency>(`${one(code)}/caps`, { method: 'PUT', body: caps, auth: 'required' })
}

export function holders(api: ApiClient, code: string, cursor?: string) {
  return api.request<Page<CurrencyHolder>>(`${one(code)}/holders`, {
    query: { cursor, limit: 50 },
    auth: 'required',
  })
}

export function setCreditLine(api: ApiClient, code: string, accountId: string, creditLine: string) {
  return api.request<Account>(`${one(code)}/accounts/${encodeURIComponent(accountId)}/credit-line`, {
    method: 'PUT',
    body: { creditLine },
    auth: 'required',
  })
}
