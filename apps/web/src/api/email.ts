import type { DigestFrequency, EmailPreferences, UnsubscribeResult } from '@quartiere/contracts'
import type { ApiClient } from './client'

/** The calls of the account's Email section and of the unsubscribe page. */

export function emailPreferences(api: ApiClient): Promise<EmailPreferences> {
  return api.request<EmailPreferences>('/api/me/email-preferences', { auth: 'required' })
}

export function setDigestFrequency(
  api: ApiClient,
  digestFrequency: DigestFrequency,
): Promise<EmailPreferences> {
  return api.request<EmailPreferences>('/api/me/email-preferences', {
    method: 'PATCH',
    body: { digestFrequency },
    auth: 'required',
  })
}

/** "I fixed my address, try again". */
export function resumeMail(api: ApiClient): Promise<EmailPreferences> {
  return api.request<EmailPreferences>('/api/me/email-preferences/resume', {
    method: 'POST',
    auth: 'required',
  })
}

/** The unsubscribe link's own address, posted as a mail client's one click would: no sign-in. */
export function unsubscribe(api: ApiClient, token: string): Promise<UnsubscribeResult> {
  return api.request<UnsubscribeResult>('/unsubscribe', {
    method: 'POST',
    query: { id: token },
    auth: 'none',
  })
}
