import { randomBytes } from 'node:crypto'
import type { DigestFrequency, EmailPreferences } from '@quartiere/contracts'
import type { DB } from '@quartiere/db'
import { type Kysely, sql } from 'kysely'

/** Failures kept per member: enough to show and to export what went wrong, not a growing log. */
export const mailFailuresKeptMax = 20

const iso = (value: Date | null) => (value ? value.toISOString() : null)

/**
 * A member's digest choice and the state of mail to their address, as the account page shows it. Undefined when
 * there is no such member.
 */
export async function getEmailPreferences(
  db: Kysely<DB>,
  userId: string,
  permanentFailuresMax: number,
): Promise<EmailPreferences | undefined> {
  const row = await db
    .selectFrom('users as u')
    .leftJoin('mail_recipients as r', 'r.user_id', 'u.id')
    .select([
      'u.digest_frequency',
      'r.consecutive_permanent_failures',
      'r.suppressed_at',
      'r.last_delivered_at',
    ])
    .where('u.id', '=', userId)
    .where('u.erased_at', 'is', null)
    .executeTakeFirst()
  if (!row) return undefined
  const failure = await db
    .selectFrom('mail_failures')
    .select(['occurred_at', 'permanent', 'reason'])
    .where('user_id', '=', userId)
    .orderBy('occurred_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst()
  return {
    digestFrequency: row.digest_frequency,
    delivery: {
      state: row.suppressed_at ? 'suspended' : 'active',
      consecutivePermanentFailures: row.consecutive_permanent_failures ?? 0,
      permanentFailuresMax,
      suspendedAt: iso(row.suppressed_at),
      lastDeliveredAt: iso(row.last_delivered_at),
      lastFailure: failure
        ? { at: failure.occurred_at.toISOString(), permanent: failure.permanent, reason: failure.reason }
        : null,
    },
  }
}

/** Sets how often the member gets a digest; false when there is no such member. */
export async function setDigestFrequency(
  db: Kysely<DB>,
  userId: string,
  frequency: DigestFrequency,
): Promise<boolean> {
  const result = await db
    .updateTable('users')
    .set({ digest_frequency: frequency })
    .where('id', '=', userId)
    .where('erased_at', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) > 0
}

/**
 * "I fixed my address, try again": mail to the member's address starts again, and the count of permanent
 * refusals starts from zero. Their failures stay on record.
 */
export async function resumeMailDelivery(db: Kysely<DB>, userId: string): Promise<void> {
  await db
    .updateTable('mail_recipients')
    .set({ suppressed_at: null, consecutive_permanent_failures: 0 })
    .where('user_id', '=', userId)
    .execute()
}

export type UnsubscribeOutcome =
  | { ok: true }
  | { ok: false; code: 'unsubscribe_link_invalid'; message: string }

/**
 * The one-click unsubscribe (RFC 8058): the token a digest's List-Unsubscribe link carries sets that member's
 * digests to none. No sign-in: the token is the proof, and it can do nothing else. Doing it twice is fine.
 */
export async function unsubscribeByToken(db: Kysely<DB>, token: string): Promise<UnsubscribeOutcome> {
  const recipient = await db
    .selectFrom('mail_recipients')
    .select('user_id')
    .where('unsubscribe_token', '=', token)
    .executeTakeFirst()
  const updated = recipient && (await setDigestFrequency(db, recipient.user_id, 'none'))
  if (!updated) {
    return {
      ok: false,
      code: 'unsubscribe_link_invalid',
      message:
        'this unsubscribe link is not one of ours, or it was cut short: sign in and choose "no digests" on your account page',
    }
  }
  return { ok: true }
}

/** The member's unsubscribe token, made on first need (248 random bits; never derived from a key). */
export async function unsubscribeTokenOf(db: Kysely<DB>, userId: string): Promise<string> {
  await db
    .insertInto('mail_recipients')
    .values({ user_id: userId, unsubscribe_token: randomBytes(31).toString('hex') })
    .onConflict((oc) => oc.column('user_id').doNothing())
    .execute()
  const row = await db
    .selectFrom('mail_recipients')
    .select('unsubscribe_token')
    .where('user_id', '=', userId)
    .executeTakeFirstOrThrow()
  return row.unsubscribe_token
}

/**
 * Records what became of a message to a member: a delivery resets the count of permanent refusals; a failure is
 * kept (the newest few), and the `permanentFailuresMax`-th permanent refusal in a row suppresses the address.
 */
export async function recordDelivery(
  db: Kysely<DB>,
  userId: string,
  outcome: { delivered: true } | { delivered: false; permanent: boolean; reason: string },
  options: { now: Date; permanentFailuresMax: number },
): Promise<void> {
  await unsubscribeTokenOf(db, userId)
  if (outcome.delivered) {
    await db
      .updateTable('mail_recipients')
      .set({ consecutive_permanent_failures: 0, last_delivered_at: options.now })
      .where('user_id', '=', userId)
      .execute()
    return
  }
  await db
    .insertInto('mail_failures')
    .values({
      user_id: userId,
      occurred_at: options.now,
      permanent: outcome.permanent,
      reason: outcome.reason.slice(0, 500),
    })
    .execute()
  const stale = await db
    .selectFrom('mail_failures')
    .select('id')
    .where('user_id', '=', userId)
    .orderBy('occurred_at', 'desc')
    .orderBy('id', 'desc')
    .offset(mailFailuresKeptMax)
    .limit(1000)
    .execute()
  if (stale.length > 0)
    await db
      .deleteFrom('mail_failures')
      .where(
        'id',
        'in',
        stale.map((row) => row.id),
      )
      .execute()
  if (outcome.permanent) {
    await db
      .updateTable('mail_recipients')
      .set({
        consecutive_permanent_failures: sql<number>`consecutive_permanent_failures + 1`,
        suppressed_at: sql<Date | null>`CASE
          WHEN suppressed_at IS NOT NULL THEN suppressed_at
          WHEN consecutive_permanent_failures + 1 >= ${options.permanentFailuresMax} THEN ${options.now}::timestamptz
          ELSE NULL END`,
      })
      .where('user_id', '=', userId)
      .execute()
  }
}
