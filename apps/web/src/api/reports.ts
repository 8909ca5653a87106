import type { Report, ReportCreateBody } from '@quartiere/contracts'
import type { ApiClient } from './client'

/**
 * Files a report. The API answers 201 for a new report and 200 with the open one when this person reported the
 * same thing already: `created` says which, so the dialog can say it plainly.
 */
export async function fileReport(
  api: ApiClient,
  body: ReportCreateBody,
): Promise<{ report: Report; created: boolean }> {
  const response = await api.requestResponse('/api/reports', { method: 'POST', body, auth: 'required' })
  return { report: (await response.json()) as Report, created: response.status === 201 }
}
