import type { PushDevice, User } from '@quartiere/contracts'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useCallback, useEffect, useState } from 'react'
import type { ApiClient } from '../../api/client'
import { ApiProblem } from '../../api/problem'
import { myPushDevices, pushPublicKey, removePushDevice, savePushDevice } from '../../api/push'
import { type ScreenI18n, useMessages } from '../../i18n/screen-messages'
import { FormMessage, type FormNote } from '../form-message'
import { messageOf } from '../messages'
import { AccountSection } from './account-page'
import { pushMessages } from './push-messages'

type PushKey = keyof (typeof pushMessages)['en']

/**
 * "Notifications on this device" (issue #21): turning web push on asks the browser's permission, subscribes its
 * PushManager with the server's VAPID key and sends the subscription to the API; turning it off removes the
 * device and unsubscribes. The member's other devices are listed with a way to turn each off. Where the browser
 * cannot (no service worker or PushManager, permission denied) the section says so, and how to allow it again.
 */
export function PushNotifications({ api, user }: { api: ApiClient; user: User }) {
  const i18n = useMessages(pushMessages)
  const { m, t } = i18n
  const queryClient = useQueryClient()
  const devicesKey = ['account', 'push-devices', user.id] as const
  const devices = useQuery({ queryKey: devicesKey, queryFn: () => myPushDevices(api) })
  const [browser, setBrowser] = useState<BrowserPush | null>(null)
  const [note, setNote] = useState<FormNote | null>(null)

  const inspect = useCallback(async () => setBrowser(await browserPush()), [])
  useEffect(() => {
    void inspect()
  }, [inspect])

  const refreshDevices = () => queryClient.invalidateQueries({ queryKey: devicesKey })
  const turnOn = useMutation({ mutationFn: () => subscribeThisBrowser(api, deviceLabel(i18n)) })
  const turnOff = useMutation({
    mutationFn: async (device: PushDevice | undefined) => {
      // The server first: while it still lists the device, a failure leaves notifications on, as shown.
      if (device) await removePushDevice(api, device.id)
      await (await currentSubscription())?.unsubscribe()
    },
  })
  const remove = useMutation({ mutationFn: (device: PushDevice) => removePushDevice(api, device.id) })

  const items = devices.data ?? []
  const endpoint = browser?.endpoint
  const thisDevice = endpoint ? items.find((device) => device.endpoint === endpoint) : undefined
  const others = items.filter((device) => device !== thisDevice)
  const on = thisDevice !== undefined

  const start = async () => {
    setNote(null)
    try {
      const outcome = await turnOn.mutateAsync()
      if (outcome === 'denied' || outcome === 'default')
        setNote({ ok: false, text: m(outcome === 'denied' ? 'denied' : 'dismissed') })
      else setNote({ ok: true, text: m('turnedOn') })
    } catch (failure) {
      setNote({ ok: false, text: failureText(i18n, failure) })
    }
    await Promise.all([inspect(), refreshDevices()])
  }
  const stop = async () => {
    setNote(null)
    try {
      await turnOff.mutateAsync(thisDevice)
      setNote({ ok: true, text: m('turnedOff') })
    } catch (failure) {
      setNote({ ok: false, text: messageOf(i18n, failure) })
    }
    await Promise.all([inspect(), refreshDevices()])
  }
  const removeOther = async (device: PushDevice) => {
    setNote(null)
    try {
      await remove.mutateAsync(device)
      setNote({ ok: true, text: m('removed', { label: device.label || m('unknownDevice') }) })
    } catch (failure) {
      setNote({ ok: false, text: messageOf(i18n, failure) })
    }
    await refreshDevices()
  }

  const busy = turnOn.isPending || turnOff.isPending
  return (
    <AccountSection id="push" title={m('title')}>
      <p className="hint">{m('hint')}</p>
      {browser === null || devices.isPending ? (
        <p className="hint">{m('checking')}</p>
      ) : !browser.supported ? (
        <p className="push-blocked" data-testid="account-push-unsupported">
          {m('unsupported')}
        </p>
      ) : (
        <>
          <p data-testid="account-push-state" data-state={on ? 'on' : 'off'}>
            {m(on ? 'stateOn' : 'stateOff')}
          </p>
          {browser.permission === 'denied' && !on ? (
            <p className="push-blocked" data-testid="account-push-denied">
              {m('denied')}
            </p>
          ) : on ? (
            <button type="button" onClick={() => void stop()} disabled={busy} data-testid="account-push-off">
              {m('turnOff')}
            </button>
          ) : (
            <button type="button" onClick={() => void start()} disabled={busy} data-testid="account-push-on">
              {m('turnOn')}
            </button>
          )}
        </>
      )}
      <FormMessage message={note} testId="account-push-message" />
      <h3 id="push-others-title">{m('otherDevices')}</h3>
      {devices.isPending ? (
        <p className="hint">{t('common.loading')}</p>
      ) : devices.isError ? (
        <FormMessage message={messageOf(i18n, devices.error)} />
      ) : others.length === 0 ? (
        <p className="empty">{m('otherDevicesNone')}</p>
      ) : (
        <ul className="account-list" aria-labelledby="push-others-title" data-testid="account-push-devices">
          {others.map((device) => {
            const label = device.label || m('unknownDevice')
            return (
              <li key={device.id}>
                <span>{label}</span>
                <span className="hint">{m('since', { date: i18n.date(device.createdAt) })}</span>
                <button
                  type="button"
                  onClick={() => void removeOther(device)}
                  disabled={remove.isPending}
                  aria-label={m('removeLabel', { label })}
                >
                  {m('remove')}
                </button>
              </li>
            )
          })}
        </ul>
      )}
    </AccountSection>
  )
}

/** What this browser can do about push, and the endpoint of its subscription if it has one. */
interface BrowserPush {
  supported: boolean
  permission: NotificationPermission
  endpoint: string | undefined
}

function pushSupported(): boolean {
  return (
    typeof navigator !== 'undefined' &&
    'serviceWorker' in navigator &&
    typeof window !== 'undefined' &&
    'PushManager' in window &&
    'Notification' in window
  )
}

async function currentSubscription(): Promise<PushSubscription | null> {
  if (!pushSupported()) return null
  const registration = await navigator.serviceWorker.getRegistration('/')
  return (await registration?.pushManager.getSubscription()) ?? null
}

async function browserPush(): Promise<BrowserPush> {
  if (!pushSupported()) return { supported: false, permission: 'denied', endpoint: undefined }
  const subscription = await currentSubscription().catch(() => null)
  return { supported: true, permission: Notification.permission, endpoint: subscription?.endpoint }
}

/**
 * Asks the permission, subscribes (the worker registered now if the idle registration has not happened yet) and
 * sends the subscription. A subscription the server refuses is dropped again, so the browser and the list agree.
 */
async function subscribeThisBrowser(api: ApiClient, label: string): Promise<NotificationPermission> {
  const permission = await Notification.requestPermission()
  if (permission !== 'granted') return permission
  await navigator.serviceWorker.register('/sw.js', { scope: '/' })
  const registration = await navigator.serviceWorker.ready
  const publicKey = await pushPublicKey(api)
  const applicationServerKey = base64UrlBytes(publicKey)
  let subscription = await registration.pushManager.getSubscription()
  const subscribedKey = subscription?.options.applicationServerKey
  if (subscription && subscribedKey && !sameBytes(new Uint8Array(subscribedKey), applicationServerKey)) {
    // Subscribed with another server key (the server's keys changed): that subscription is of no use.
    await subscription.unsubscribe()
    subscription = null
  }
  subscription ??= await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey })
  const json = subscription.toJSON()
  try {
    await savePushDevice(api, {
      endpoint: subscription.endpoint,
      keys: { p256dh: json.keys?.p256dh ?? '', auth: json.keys?.auth ?? '' },
      label,
    })
  } catch (failure) {
    await subscription.unsubscribe().catch(() => false)
    throw failure
  }
  return permission
}

function failureText(i18n: ScreenI18n<PushKey>, failure: unknown): string {
  if (failure instanceof ApiProblem) return messageOf(i18n, failure)
  return i18n.m('failed', { reason: failure instanceof Error ? failure.message : String(failure) })
}

function base64UrlBytes(text: string): Uint8Array<ArrayBuffer> {
  const base64 = text
    .replace(/-/g, '+')
    .replace(/_/g, '/')
    .padEnd(Math.ceil(text.length / 4) * 4, '=')
  const binary = atob(base64)
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i)
  return bytes
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i])
}

/** How the device is listed on the member's other devices: "Firefox on Android". */
function deviceLabel(i18n: ScreenI18n<PushKey>): string {
  const agent = navigator.userAgent
  const browser = /Edg\//.test(agent)
    ? 'Edge'
    : /Firefox\//.test(agent)
      ? 'Firefox'
      : /Chrom(e|ium)\//.test(agent)
        ? 'Chrome'
        : /Safari\//.test(agent)
          ? 'Safari'
          : undefined
  const system = /Android/.test(agent)
    ? 'Android'
    : /iPhone|iPad/.test(agent)
      ? 'iOS'
      : /Windows/.test(agent)
        ? 'Windows'
        : /Mac OS X/.test(agent)
          ? 'macOS'
          : /Linux/.test(agent)
            ? 'Linux'
            : undefined
  if (!browser || !system) return browser ?? i18n.m('unknownDevice')
  return i18n.m('on', { browser, system })
}
