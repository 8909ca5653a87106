import type { EmailVerified } from '@quartiere/contracts'
import type { ApiClient } from './client'

/** The calls of password recovery and address confirmation (the links sent by email). */

/** Asks for a reset link; the API answers the same whether or not the address is a member's. */
export async function requestPasswordReset(api: ApiClient, email: string): Promise<void> {
  await api.requestResponse('/api/auth/password-reset', { method: 'POST', body: { email }, auth: 'none' })
}

/** Sets a new password with the token of a reset link; every session of the member is signed out. */
export async function confirmPasswordReset(api: ApiClient, token: string, password: string): Promise<void> {
  await api.requestResponse('/api/auth/password-reset/confirm', {
    method: 'POST',
    body: { token, password },
    auth: 'none',
  })
}

/** Confirms the address a confirmation link was sent to. */
export function verifyEmail(api: ApiClient, token: string): Promise<EmailVerified> {
  return api.request<EmailVerified>('/api/auth/verify-email', {
    method: 'POST',
    body: { token },
    auth: 'none',
  })
}

/** Sends me a new confirmation link. */
export async function resendVerification(api: ApiClient): Promise<void> {
  await api.requestResponse('/api/me/email-verification', { method: 'POST', auth: 'required' })
}
