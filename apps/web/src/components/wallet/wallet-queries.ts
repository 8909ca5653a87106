import type { Account, Currency } from '@quartiere/contracts'
import { useInfiniteQuery, useQueries, useQuery } from '@tanstack/react-query'
import type { ApiClient } from '../../api/client'
import { queryKeys } from '../../queries/query-keys'

/** Time credits: every member holds them; community currencies come after, by code. */
export const timeCurrency = 'TIME'
/** Currencies read for their names, kinds and scales (one page of the API's largest). */
const currencyPagesMax = 5

export function byCurrency(a: Account, b: Account): number {
  if (a.currency === timeCurrency) return -1
  if (b.currency === timeCurrency) return 1
  return a.currency.localeCompare(b.currency)
}

/** The signed-in member's accounts (their own and their groups'), read again when the feed moves money. */
export function useAccounts(api: ApiClient, userId: string) {
  return useQuery({ queryKey: queryKeys.wallet.accounts(userId), queryFn: () => api.accounts() })
}

/** The exchanges of time the member is part of. */
export function useExchanges(api: ApiClient, userId: string) {
  return useQuery({ queryKey: queryKeys.wallet.exchanges(userId), queryFn: () => api.exchanges() })
}

/**
 * The currencies' names, kinds and scales by code: the list is read once (they change rarely), and a currency
 * the member holds that the list did not bring (a mint, a first payment since) is read on its own.
 */
export function useCurrencies(api: ApiClient, heldCodes: readonly string[]): Record<string, Currency> {
  const list = useQuery({
    queryKey: queryKeys.currencies.list,
    staleTime: Number.POSITIVE_INFINITY,
    queryFn: async () => {
      const byCode: Record<string, Currency> = {}
      let cursor: string | undefined
      for (let page = 0; page < currencyPagesMax; page += 1) {
        const result = await api.currencies(cursor)
        for (const currency of result.items) byCode[currency.code] = currency
        if (!result.nextCursor) break
        cursor = result.nextCursor
      }
      return byCode
    },
  })
  // Only once the list has answered (or failed): until then every code would look unknown.
  const unknown = list.isPending
    ? []
    : heldCodes.filter((code) => code !== timeCurrency && !list.data?.[code])
  const found = useQueries({
    queries: unknown.map((code) => ({
      queryKey: queryKeys.currencies.one(code),
      staleTime: Number.POSITIVE_INFINITY,
      queryFn: () => api.currency(code).catch(() => null),
    })),
  })
  const byCode: Record<string, Currency> = { ...list.data }
  for (const result of found) if (result.data) byCode[result.data.code] = result.data
  return byCode
}

/** One account's statement, newest first, a page at a time; read again whenever the feed moves money. */
export function useStatement(api: ApiClient, accountId: string | null) {
  return useInfiniteQuery({
    queryKey: queryKeys.wallet.statement(accountId ?? ''),
    enabled: accountId !== null,
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) => api.statement(accountId ?? '', pageParam),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  })
}
