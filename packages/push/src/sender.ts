import type { DB } from '@quartiere/db'
import type { OutboxEventRow } from '@quartiere/realtime'
import { type Kysely, sql } from 'kysely'
import webpush from 'web-push'
import { checkEndpoint, type EndpointRule } from './endpoint-rule'
import type { VapidKeys } from './vapid'
import { type PushLocale, pushMessageOf } from './wording'

export interface PushSenderLog {
  warn(object: Record<string, unknown>, message: string): void
  error(object: Record<string, unknown>, message: string): void
}

export interface PushSenderOptions {
  db: Kysely<DB>
  vapid: VapidKeys
  /** Checked again before each send: an endpoint stored under a laxer rule is not posted to. */
  rule: EndpointRule
  log?: PushSenderLog
  /** How long a push service keeps a message for a device that is offline (TTL header), in seconds. */
  ttlSeconds?: number
  /** One request to a push service, in ms, before it counts as failed. */
  requestTimeoutMs?: number
  /** Requests to push services in flight at once. */
  concurrency?: number
  /** Deliveries waiting (retries included); beyond it new ones are dropped and logged (the inbox has them). */
  queueLengthMax?: number
  /** The waits before each retry of a delivery that failed for a reason that may pass (429, 5xx, network). */
  retryDelaysMs?: readonly number[]
  /** The longest Retry-After a push service may impose, in ms; a longer one gives the delivery up. */
  retryAfterMsMax?: number
  /** A device whose deliveries failed this many times in a row (without a 404/410) is deleted. */
  failuresMax?: number
}

export const pushSenderDefaults = {
  ttlSeconds: 24 * 3600,
  requestTimeoutMs: 10_000,
  concurrency: 4,
  queueLengthMax: 10_000,
  retryDelaysMs: [2_000, 30_000, 300_000],
  retryAfterMsMax: 600_000,
  failuresMax: 20,
} as const

/** What happened to one delivery (for tests and logs). */
export type DeliveryResult = 'sent' | 'gone' | 'retrying' | 'failed' | 'dropped'

export interface PushSender {
  /**
   * Takes committed outbox events (the relay's listener): for each `notification.created` this instance is the
   * first to claim, a message to each of the recipient's devices. Returns at once; sending happens after.
   */
  accept(events: readonly OutboxEventRow[]): void
  /** Resolves when nothing is being claimed or sent and no retry is due sooner than `withinMs` (tests). */
  idle(): Promise<void>
  /** Called after each delivery attempt (tests, metrics). */
  onDelivery(listener: (result: DeliveryResult, subscriptionId: string) => void): () => void
  stop(): Promise<void>
}

interface Delivery {
  subscriptionId: string
  endpoint: string
  keys: { p256dh: string; auth: string }
  payload: string
  attempt: number
}

/**
 * Sends web push messages (RFC 8030) with VAPID (RFC 8292), payloads encrypted per RFC 8291 (aes128gcm) by the
 * `web-push` package, delivered with Node's fetch (timeouts, no redirects followed).
 *
 * Messages leave only after the notification's transaction committed: the sender reads the outbox relay's
 * committed events, never the writing transaction, and the request that wrote them does not wait. Several API
 * instances each see every event: the row `push_progress` is moved forward by whichever instance claims a
 * range of seqs first, and only that one sends them (at most once; the inbox keeps the notification anyway).
 */
export function createPushSender(options: PushSenderOptions): PushSender {
  const { db, vapid, rule, log } = options
  const ttlSeconds = options.ttlSeconds ?? pushSenderDefaults.ttlSeconds
  const requestTimeoutMs = options.requestTimeoutMs ?? pushSenderDefaults.requestTimeoutMs
  const concurrency = options.concurrency ?? pushSenderDefaults.concurrency
  const queueLengthMax = options.queueLengthMax ?? pushSenderDefaults.queueLengthMax
  const retryDelaysMs = options.retryDelaysMs ?? pushSenderDefaults.retryDelaysMs
  const retryAfterMsMax = options.retryAfterMsMax ?? pushSenderDefaults.retryAfterMsMax
  const failuresMax = options.failuresMax ?? pushSenderDefaults.failuresMax

  let stopped = false
  // Claims run one after another, in the relay's order.
  let claiming: Promise<void> = Promise.resolve()
  const queue: Delivery[] = []
  let inFlight = 0
  const retries = new Set<NodeJS.Timeout>()
  const listeners = new Set<(result: DeliveryResult, subscriptionId: string) => void>()
  let idleWaiters: (() => void)[] = []
  let pendingClaims = 0

  const queued = () => queue.length + inFlight + retries.size
  const report = (result: DeliveryResult, subscriptionId: string) => {
    for (const listener of listeners) listener(result, subscriptionId)
  }
  const checkIdle = () => {
    if (pendingClaims === 0 && queue.length === 0 && inFlight === 0 && retries.size === 0) {
      const waiters = idleWaiters
      idleWaiters = []
      for (const resolve of waiters) resolve()
    }
  }

  const enqueue = (delivery: Delivery) => {
    if (queued() >= queueLengthMax) {
      log?.warn({ subscriptionId: delivery.subscriptionId }, 'push queue full: a message was dropped')
      report('dropped', delivery.subscriptionId)
      return
    }
    queue.push(delivery)
    pump()
  }

  const pump = () => {
    while (!stopped && inFlight < concurrency && queue.length > 0) {
      const delivery = queue.shift()!
      inFlight += 1
      deliver(delivery)
        .catch((error: unknown) => log?.error({ err: error }, 'a push delivery failed unexpectedly'))
        .finally(() => {
          inFlight -= 1
          pump()
          checkIdle()
        })
    }
  }

  const deliver = async (delivery: Delivery) => {
    if (!checkEndpoint(rule, delivery.endpoint).ok) {
      log?.warn(
        { subscriptionId: delivery.subscriptionId },
        'a push endpoint no longer passes the endpoint rule',
      )
      report('failed', delivery.subscriptionId)
      return
    }
    const details = webpush.generateRequestDetails(
      { endpoint: delivery.endpoint, keys: delivery.keys },
      delivery.payload,
      {
        vapidDetails: vapid,
        TTL: ttlSeconds,
        contentEncoding: 'aes128gcm',
        urgency: 'normal',
      },
    )
    let status: number
    let retryAfter: string | null = null
    try {
      const response = await fetch(details.endpoint, {
        method: details.method,
        headers: details.headers as Record<string, string>,
        body: details.body ? new Uint8Array(details.body) : null,
        redirect: 'manual',
        signal: AbortSignal.timeout(requestTimeoutMs),
      })
      status = response.status
      retryAfter = response.headers.get('retry-after')
      await response.body?.cancel()
    } catch (error) {
      status = 0
      log?.warn({ err: error, subscriptionId: delivery.subscriptionId }, 'push service unreachable')
    }
    if (status >= 200 && status < 300) {
      await db
        .updateTable('push_subscriptions')
        .set({ last_sent_at: sql<Date>`now()`, failures: 0 })
        .where('id', '=', delivery.subscriptionId)
        .execute()
      report('sent', delivery.subscriptionId)
      return
    }
    if (status === 404 || status === 410) {
      // The browser unsubscribed or the subscription expired: it will never work again.
      await db
        .deleteFrom('push_subscriptions')
        .where('id', '=', delivery.subscriptionId)
        .where('endpoint', '=', delivery.endpoint)
        .execute()
      report('gone', delivery.subscriptionId)
      return
    }
    const transient = status === 0 || status === 429 || status >= 500
    const delay = transient ? retryDelay(delivery.attempt, retryAfter) : null
    if (delay !== null && !stopped) {
      report('retrying', delivery.subscriptionId)
      const timer = setTimeout(() => {
        retries.delete(timer)
        enqueue({ ...delivery, attempt: delivery.attempt + 1 })
        checkIdle()
      }, delay)
      timer.unref()
      retries.add(timer)
      return
    }
    log?.warn(
      { subscriptionId: delivery.subscriptionId, status, attempts: delivery.attempt + 1 },
      'a push message could not be delivered',
    )
    const row = await db
      .updateTable('push_subscriptions')
      .set((eb) => ({ failures: eb('failures', '+', 1) }))
      .where('id', '=', delivery.subscriptionId)
      .returning('failures')
      .executeTakeFirst()
    if (row && row.failures >= failuresMax) {
      await db.deleteFrom('push_subscriptions').where('id', '=', delivery.subscriptionId).execute()
      log?.warn({ subscriptionId: delivery.subscriptionId }, 'a push device failed too often and was removed')
    }
    report('failed', delivery.subscriptionId)
  }

  const retryDelay = (attempt: number, retryAfter: string | null): number | null => {
    if (attempt >= retryDelaysMs.length) return null
    const base = retryDelaysMs[attempt]!
    if (!retryAfter) return base
    const seconds = Number(retryAfter)
    const asked = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(retryAfter) - Date.now()
    if (!Number.isFinite(asked)) return base
    if (asked > retryAfterMsMax) return null
    return Math.max(base, asked)
  }

  /** Claims the seqs up to `throughSeq`: returns the mark before, or null when another instance has them. */
  const claim = async (throughSeq: number): Promise<number | null> => {
    const result = await sql<{ before: string }>`
      UPDATE push_progress p SET through_seq = ${throughSeq}
        FROM (SELECT through_seq FROM push_progress WHERE singleton FOR UPDATE) AS old
       WHERE p.singleton AND old.through_seq < ${throughSeq}
      RETURNING old.through_seq AS before`.execute(db)
    const row = result.rows[0]
    return row ? Number(row.before) : null
  }

  const handle = async (notifications: readonly OutboxEventRow[]) => {
    const last = notifications[notifications.length - 1]!.seq
    const before = await claim(last)
    if (before === null) return
    const mine = notifications.filter((event) => event.seq > before)
    const recipients = [...new Set(mine.map((event) => event.audience![0]!))]
    if (recipients.length === 0) return
    const devices = await db
      .selectFrom('push_subscriptions as s')
      .innerJoin('users as u', 'u.id', 's.user_id')
      .select(['s.id', 's.user_id', 's.endpoint', 's.p256dh', 's.auth', 'u.locale'])
      .where('s.user_id', 'in', recipients)
      .execute()
    if (devices.length === 0) return
    const byUser = new Map<string, typeof devices>()
    for (const device of devices) byUser.set(device.user_id, [...(byUser.get(device.user_id) ?? []), device])
    for (const event of mine) {
      const notification = event.payload as {
        id: string
        topic: string
        entityId: string | null
        payload: Record<string, unknown>
      }
      for (const device of byUser.get(event.audience![0]!) ?? []) {
        const message = pushMessageOf(notification, device.locale as PushLocale)
        enqueue({
          subscriptionId: device.id,
          endpoint: device.endpoint,
          keys: { p256dh: device.p256dh, auth: device.auth },
          payload: JSON.stringify(message),
          attempt: 0,
        })
      }
    }
  }

  return {
    accept(events) {
      if (stopped) return
      const notifications = events.filter(
        (event) => event.topic === 'notification.created' && event.audience?.length === 1,
      )
      if (notifications.length === 0) return
      pendingClaims += 1
      claiming = claiming
        .then(() => handle(notifications))
        .catch((error: unknown) => log?.error({ err: error }, 'reading push deliveries failed'))
        .finally(() => {
          pendingClaims -= 1
          checkIdle()
        })
    },
    idle() {
      return new Promise<void>((resolve) => {
        idleWaiters.push(resolve)
        checkIdle()
      })
    },
    onDelivery(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    async stop() {
      stopped = true
      for (const timer of retries) clearTimeout(timer)
      retries.clear()
      queue.length = 0
      await claiming
      while (inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 10))
      checkIdle()
    },
  }
}
