import type { OpenDataCatalog } from '@quartiere/contracts'
import type { ApiClient } from './client'
import { downloadFile } from './download'

/** Where the open data is, for this reader (signed in or not: it says whether the ledger statistics are theirs). */
export function openDataCatalog(api: ApiClient): Promise<OpenDataCatalog> {
  return api.request<OpenDataCatalog>('/api/open-data', { auth: 'optional' })
}

/** The k-anonymous ledger statistics, for researchers and admins, as the CSV the server names. */
export function downloadLedgerFlows(api: ApiClient): Promise<string> {
  return downloadFile(api, '/api/export/ledger-flows.csv', 'quartiere-ledger-flows.csv')
}

/** A wallet statement as CSV (exact decimal amounts), the newest `limit` transfers. */
export function downloadStatementCsv(api: ApiClient, accountId: string, limit: number): Promise<string> {
  return downloadFile(
    api,
    `/api/ledger/accounts/${encodeURIComponent(accountId)}/transfers`,
    `statement-${accountId}.csv`,
    { format: 'csv', limit },
  )
}
