import type { DB } from '@quartiere/db'
import { MailDeliveryError, type Mailer } from '@quartiere/mail'
import { type Kysely, sql } from 'kysely'
import { composeDigest } from './compose'
import { isEmpty, readDigestContent } from './content'
import { type DigestSchedule, duePeriods, periodKindOf, periodLengthMs } from './periods'
import { recordDelivery, unsubscribeTokenOf } from './preferences'

export interface DigestJobOptions {
  /** The public origin of every link (PUBLIC_URL). */
  linkOrigin: string
  schedule: DigestSchedule
  /** Consecutive permanent refusals after which mail to an address stops (MAIL_PERMANENT_FAILURES_MAX). */
  permanentFailuresMax: number
  /** Digests one pass sends at most (DIGESTS_PER_PASS_MAX); the rest wait for the next pass. */
  messagesPerPassMax: number
}

/** Tries of one digest after temporary failures (a 4xx, the server unreachable) before it is given up. */
export const digestAttemptsMax = 3
/** How long a digest that failed for now waits before its next try. */
export const digestRetryDelayMs = 15 * 60 * 1000
/**
 * A claimed digest still `sending` after this long belongs to an instance that died between claiming it and
 * recording the outcome: it is marked abandoned, never sent again. Far above the mailer's own timeouts.
 */
export const digestClaimTimeoutMs = 15 * 60 * 1000

export interface DigestPassReport {
  enqueued: number
  sent: number
  empty: number
  skipped: number
  failed: number
  retrying: number
  abandoned: number
}

/**
 * One pass of the digest job at `now` (tests pass theirs; the app's interval passes the clock's):
 *
 * 1. Claims left `sending` by an instance that died are marked `abandoned`.
 * 2. For each period due at `now` (periods.ts), a `pending` row per member who chose that frequency, whose
 *    address is not suppressed: `INSERT … ON CONFLICT DO NOTHING` on (member, period), so however many instances
 *    run passes, a period has one row per member.
 * 3. Rows are claimed one at a time with `SELECT … FOR UPDATE SKIP LOCKED` and set to `sending` in a statement
 *    that commits before the message is sent: two instances never hold the same row, and no transaction stays
 *    open during an SMTP conversation.
 * 4. The content is read for the window since the member's last digest; nothing to say: `empty`, no message.
 *    Otherwise the message is sent, then the outcome recorded: `sent`, `failed` (permanent), or back to
 *    `pending` for a later try (temporary, up to {@link digestAttemptsMax}).
 *
 * At most once: a crash between the send and the record leaves the row `sending`, and it is abandoned rather
 * than sent again. A lost digest costs a member little (the next one covers its window, since it starts where
 * the last *recorded* one ended); a duplicate in every inbox after each crash would teach people to ignore them.
 */
export async function runDigestPass(
  db: Kysely<DB>,
  mailer: Mailer,
  options: DigestJobOptions,
  now: Date = new Date(),
): Promise<DigestPassReport> {
  const report: DigestPassReport = {
    enqueued: 0,
    sent: 0,
    empty: 0,
    skipped: 0,
    failed: 0,
    retrying: 0,
    abandoned: 0,
  }
  const abandoned = await db
    .updateTable('digest_deliveries')
    .set({ state: 'abandoned', finished_at: now })
    .where('state', '=', 'sending')
    .where('claimed_at', '<', new Date(now.getTime() - digestClaimTimeoutMs))
    .executeTakeFirst()
  report.abandoned = Number(abandoned.numUpdatedRows)

  for (const period of duePeriods(now, options.schedule)) {
    const inserted = await sql`
      INSERT INTO digest_deliveries (user_id, period, not_before, created_at)
      SELECT u.id, ${period.key}, ${now}::timestamptz, ${now}::timestamptz
        FROM users u LEFT JOIN mail_recipients r ON r.user_id = u.id
       WHERE u.digest_frequency = ${period.kind} AND u.erased_at IS NULL AND r.suppressed_at IS NULL
         AND u.email_verified_at IS NOT NULL
      ON CONFLICT (user_id, period) DO NOTHING`.execute(db)
    report.enqueued += Number(inserted.numAffectedRows ?? 0)
  }

  for (let claimed = 0; claimed < options.messagesPerPassMax; claimed++) {
    const claim = await claimNext(db, now)
    if (!claim) break
    const outcome = await deliver(db, mailer, options, claim, now)
    report[outcome] += 1
  }
  return report
}

interface Claim {
  userId: string
  period: string
  attempts: number
}

async function claimNext(db: Kysely<DB>, now: Date): Promise<Claim | undefined> {
  const result = await sql<{ user_id: string; period: string; attempts: number }>`
    UPDATE digest_deliveries d
       SET state = 'sending', claimed_at = ${now}::timestamptz, attempts = d.attempts + 1
      FROM (SELECT user_id, period FROM digest_deliveries
             WHERE state = 'pending' AND not_before <= ${now}::timestamptz
             ORDER BY not_before, user_id, period
             LIMIT 1
             FOR UPDATE SKIP LOCKED) AS next
     WHERE d.user_id = next.user_id AND d.period = next.period AND d.state = 'pending'
    RETURNING d.user_id, d.period, d.attempts`.execute(db)
  const row = result.rows[0]
  return row ? { userId: row.user_id, period: row.period, attempts: row.attempts } : undefined
}

async function finish(
  db: Kysely<DB>,
  claim: Claim,
  values: {
    state: 'sent' | 'empty' | 'skipped' | 'failed' | 'pending'
    now: Date
    from?: Date
    notBefore?: Date
  },
) {
  await db
    .updateTable('digest_deliveries')
    .set({
      state: values.state,
      ...(values.state === 'pending'
        ? { not_before: values.notBefore ?? values.now }
        : { finished_at: values.now }),
      ...(values.state === 'sent' || values.state === 'empty'
        ? { covered_from: values.from ?? null, covered_until: values.now }
        : {}),
    })
    .where('user_id', '=', claim.userId)
    .where('period', '=', claim.period)
    .where('state', '=', 'sending')
    .execute()
}

async function deliver(
  db: Kysely<DB>,
  mailer: Mailer,
  options: DigestJobOptions,
  claim: Claim,
  now: Date,
): Promise<'sent' | 'empty' | 'skipped' | 'failed' | 'retrying'> {
  const kind = periodKindOf(claim.period)
  const member = await db
    .selectFrom('users as u')
    .leftJoin('mail_recipients as r', 'r.user_id', 'u.id')
    .select(['u.email', 'u.display_name', 'u.locale', 'u.digest_frequency', 'u.erased_at', 'r.suppressed_at'])
    .where('u.id', '=', claim.userId)
    .executeTakeFirst()
  // The member changed their mind, or their address was suppressed, after the row was made.
  if (!member || member.erased_at || member.suppressed_at || member.digest_frequency !== kind) {
    await finish(db, claim, { state: 'skipped', now })
    return 'skipped'
  }
  // The window starts where the member's last recorded digest ended, whatever its kind.
  const last = await db
    .selectFrom('digest_deliveries')
    .select((eb) => eb.fn.max('covered_until').as('until'))
    .where('user_id', '=', claim.userId)
    .where('covered_until', 'is not', null)
    .executeTakeFirst()
  const earliest = new Date(now.getTime() - periodLengthMs[kind])
  const from = last?.until && last.until > earliest ? last.until : earliest
  const content = await readDigestContent(db, claim.userId, from, now)
  if (isEmpty(content)) {
    await finish(db, claim, { state: 'empty', now, from })
    return 'empty'
  }

  const token = await unsubscribeTokenOf(db, claim.userId)
  const unsubscribeUrl = `${options.linkOrigin}/unsubscribe?id=${token}`
  const digest = composeDigest({
    locale: member.locale,
    displayName: member.display_name,
    kind,
    content,
    linkOrigin: options.linkOrigin,
    unsubscribeUrl,
  })
  try {
    await mailer.send({
      to: member.email,
      subject: digest.subject,
      text: digest.text,
      html: digest.html,
      headers: {
        'List-Unsubscribe': `<${unsubscribeUrl}>`,
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      },
    })
  } catch (error) {
    const permanent = error instanceof MailDeliveryError && error.permanent
    const reason = error instanceof Error ? error.message : String(error)
    const giveUp = permanent || claim.attempts >= digestAttemptsMax
    await db.transaction().execute(async (trx) => {
      await recordDelivery(
        trx,
        claim.userId,
        { delivered: false, permanent, reason },
        {
          now,
          permanentFailuresMax: options.permanentFailuresMax,
        },
      )
      await finish(trx, claim, {
        state: giveUp ? 'failed' : 'pending',
        now,
        notBefore: new Date(now.getTime() + digestRetryDelayMs),
      })
    })
    return giveUp ? 'failed' : 'retrying'
  }
  await db.transaction().execute(async (trx) => {
    await finish(trx, claim, { state: 'sent', now, from })
    await recordDelivery(
      trx,
      claim.userId,
      { delivered: true },
      {
        now,
        permanentFailuresMax: options.permanentFailuresMax,
      },
    )
  })
  return 'sent'
}
