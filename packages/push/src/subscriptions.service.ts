import type { DB } from '@quartiere/db'
import { type Kysely, sql, type Transaction } from 'kysely'
import { checkEndpoint, type EndpointRule } from './endpoint-rule'
import { base64urlBytes } from './vapid'

/** A member has push turned on in at most this many browsers; the oldest must be turned off first. */
export const pushDevicesPerUserMax = 20
/** The label a device is listed under (the browser's own description), cut to this many characters. */
export const deviceLabelLengthMax = 200

/** One device (browser profile) a member receives push messages on. */
export interface PushDevice {
  id: string
  endpoint: string
  label: string
  createdAt: string
  lastSentAt: string | null
}

export interface PushSubscriptionInput {
  endpoint: string
  keys: { p256dh: string; auth: string }
  label?: string
}

export type PushFailure =
  | { ok: false; code: 'invalid_push_subscription'; message: string }
  | { ok: false; code: 'push_devices_limit'; message: string }
  | { ok: false; code: 'not_found'; message: string }

export type PushOutcome<T> = ({ ok: true } & T) | PushFailure

type UserTable = keyof DB & string

/** The one column of this package that holds a user id: erasure deletes the member's devices. */
export const pushUserReferences = {
  deleted: [['push_subscriptions', 'user_id']],
  moved: [],
  special: [],
} as const satisfies Record<string, readonly (readonly [UserTable, string])[]>

/**
 * Turns push on for a device: validates the endpoint against `rule` and the keys (a P-256 point and a 16-byte
 * secret, RFC 8291), then stores it, or takes it over when the endpoint is known (the same browser again, or
 * another member signed in on it: the device is now theirs). 201-like `created` when new.
 */
export async function savePushSubscription(
  db: Kysely<DB>,
  userId: string,
  input: PushSubscriptionInput,
  rule: EndpointRule,
): Promise<PushOutcome<{ device: PushDevice; created: boolean }>> {
  const endpoint = checkEndpoint(rule, input.endpoint)
  if (!endpoint.ok) return { ok: false, code: 'invalid_push_subscription', message: endpoint.message }
  const key = Buffer.from(input.keys.p256dh, 'base64url')
  if (base64urlBytes(input.keys.p256dh) !== 65 || key[0] !== 4)
    return {
      ok: false,
      code: 'invalid_push_subscription',
      message: 'keys.p256dh must be the browser’s P-256 public key: 65 bytes, base64url',
    }
  if (base64urlBytes(input.keys.auth) !== 16)
    return { ok: false, code: 'invalid_push_subscription', message: 'keys.auth must be 16 bytes, base64url' }
  const label = (input.label ?? '').slice(0, deviceLabelLengthMax)
  return db.transaction().execute(async (trx) => {
    // The member's row, locked: two subscribes at once cannot both pass the count.
    await sql`SELECT 1 FROM users WHERE id = ${userId}::uuid FOR UPDATE`.execute(trx)
    const existing = await trx
      .selectFrom('push_subscriptions')
      .select(['id', 'user_id'])
      .where('endpoint', '=', input.endpoint)
      .executeTakeFirst()
    if (!existing || existing.user_id !== userId) {
      const count = await trx
        .selectFrom('push_subscriptions')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('user_id', '=', userId)
        .executeTakeFirstOrThrow()
      if (Number(count.n) >= pushDevicesPerUserMax)
        return {
          ok: false as const,
          code: 'push_devices_limit' as const,
          message: `push is on in ${pushDevicesPerUserMax} browsers already, the most one member may; turn one off first`,
        }
    }
    const row = await trx
      .insertInto('push_subscriptions')
      .values({
        user_id: userId,
        endpoint: input.endpoint,
        p256dh: input.keys.p256dh,
        auth: input.keys.auth,
        label,
      })
      .onConflict((oc) =>
        oc.column('endpoint').doUpdateSet({
          user_id: userId,
          p256dh: input.keys.p256dh,
          auth: input.keys.auth,
          label,
          failures: 0,
        }),
      )
      .returning(['id', 'endpoint', 'label', 'created_at', 'last_sent_at'])
      .executeTakeFirstOrThrow()
    return { ok: true as const, device: toDevice(row), created: !existing }
  })
}

/** The member's devices, oldest first (at most `pushDevicesPerUserMax`). */
export async function listPushDevices(db: Kysely<DB>, userId: string): Promise<PushDevice[]> {
  const rows = await db
    .selectFrom('push_subscriptions')
    .select(['id', 'endpoint', 'label', 'created_at', 'last_sent_at'])
    .where('user_id', '=', userId)
    .orderBy('created_at')
    .orderBy('id')
    .limit(pushDevicesPerUserMax)
    .execute()
  return rows.map(toDevice)
}

/** Turns push off for one of the member's devices; someone else's, or an unknown one, is not found. */
export async function deletePushDevice(
  db: Kysely<DB>,
  userId: string,
  id: string,
): Promise<PushOutcome<Record<never, never>>> {
  const result = await db
    .deleteFrom('push_subscriptions')
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .executeTakeFirst()
  if (Number(result.numDeletedRows) === 0) return { ok: false, code: 'not_found', message: `no device ${id}` }
  return { ok: true }
}

/** Erasure: the member's devices go (packages/personal-data runs it in the erasure's transaction). */
export async function erasePushSubscriptions(trx: Transaction<DB>, userId: string): Promise<void> {
  await trx.deleteFrom('push_subscriptions').where('user_id', '=', userId).execute()
}

/** The export's `pushDevices` section: the member's devices, as the reader's `section` reads them. */
export function pushDevicesSectionSql(userId: string) {
  return sql`SELECT id, endpoint, label, quartiere_iso(created_at) AS "createdAt",
                    quartiere_iso(last_sent_at) AS "lastSentAt", created_at AS sort_key, id AS sort_id
               FROM push_subscriptions WHERE user_id = ${userId}::uuid`
}

function toDevice(row: {
  id: string
  endpoint: string
  label: string
  created_at: Date
  last_sent_at: Date | null
}): PushDevice {
  return {
    id: row.id,
    endpoint: row.endpoint,
    label: row.label,
    createdAt: row.created_at.toISOString(),
    lastSentAt: row.last_sent_at ? row.last_sent_at.toISOString() : null,
  }
}
