import type { PushDevice, PushDeviceList, PushPublicKey, PushSubscriptionBody } from '@quartiere/contracts'
import type { ApiClient } from './client'

/** Web push (issue #21): the key a browser subscribes with, and the member's devices. */

export async function pushPublicKey(api: ApiClient): Promise<string> {
  return (await api.request<PushPublicKey>('/api/push/public-key', { auth: 'none' })).publicKey
}

export async function myPushDevices(api: ApiClient): Promise<PushDevice[]> {
  return (await api.request<PushDeviceList>('/api/me/push-devices', { auth: 'required' })).items
}

/** Sends this browser's PushSubscription: the same endpoint again is the same device. */
export function savePushDevice(api: ApiClient, body: PushSubscriptionBody): Promise<PushDevice> {
  return api.request<PushDevice>('/api/me/push-devices', { method: 'POST', body, auth: 'required' })
}

export async function removePushDevice(api: ApiClient, id: string): Promise<void> {
  await api.requestResponse(`/api/me/push-devices/${encodeURIComponent(id)}`, {
    method: 'DELETE',
    auth: 'required',
  })
}
