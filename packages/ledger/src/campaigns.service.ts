import {
  type Campaign,
  type CampaignCreateBody,
  type CampaignState,
  campaignDurationDaysMax,
  campaignPledgesMax,
  type Pledge,
} from '@quartiere/contracts'
import type { CampaignsTable, DB } from '@quartiere/db'
import { outboxRecordsInsertSql } from '@quartiere/realtime'
import { type Kysely, type Selectable, sql } from 'kysely'
import { type Actor, ensureOwnerAccount, timeCurrency } from './accounts'
import { amountMinorMax, formatAmount, parseAmount } from './amounts'
import { managesGroup } from './currencies.service'
import { deterministicUuid } from './deterministic-id'
import type { Ledger } from './ledger'
import { type CommunityLedgerFailure, type CommunityLedgerOutcome, refuseCommunity } from './outcome'
import { allocateProRata } from './pro-rata'
import { executeBatch } from './transfer-engine'
import type { LedgerCommand } from './types'

/** Campaigns whose end passed settled per sweep at most. */
export const dueCampaignsPerSweepMax = 100

type CampaignRow = Selectable<CampaignsTable>
type Settlement = 'funded' | 'stopped' | 'failed'

/** Entity kinds a campaign may be linked to: a place or a project on the map. */
export const campaignEntityKinds = ['space', 'project'] as const

/**
 * Opens a piggy bank, locked until its owner deposits what it gives back. Runs in the caller's transaction (the
 * route may create the map entity it is linked to in the same one). The caller has checked that the actor may
 * speak for the entity (packages/map's `mayEditEntity`); this checks the rest: a visible place or project, a
 * group owner the actor manages, two different currencies (the given one a community currency), a ratio whose
 * steps are whole minor units, a cap and a goal in whole steps, and a window of at most a year ending in the
 * future. Its escrow account (the accepted currency, upper limit = cap) and reserve account (the given
 * currency) are opened with it. The id is the client's key: the same creator retrying gets the same campaign.
 *
 * @example
 * await db.transaction().execute((trx) => createCampaign(trx, actor, { id, entityId, title: 'Panchine',
 *   acceptCurrency: 'ORTO', giveCurrency: 'BUONO', ratio: { accept: '5.00', give: '1' }, cap: '500.00',
 *   endsAt: '2027-01-31T00:00:00Z' }))
 */
export async function createCampaign(
  trx: Kysely<DB>,
  actor: Actor,
  input: Omit<CampaignCreateBody, 'entity' | 'entityId'> & { id: string; entityId: string },
): Promise<CommunityLedgerOutcome<{ campaign: Campaign; replayed: boolean }>> {
  const existing = await trx
    .selectFrom('campaigns')
    .select(['id', 'created_by'])
    .where('id', '=', input.id)
    .executeTakeFirst()
  if (existing) {
    if (existing.created_by !== actor.userId) {
      return refuseCommunity('campaign_exists', `the key ${input.id} was used already for another campaign`)
    }
    return { ok: true, campaign: (await campaignView(trx, input.id))!, replayed: true }
  }
  const entity = await trx
    .selectFrom('visible_entities')
    .select(['id', 'kind'])
    .where('id', '=', input.entityId)
    .executeTakeFirst()
  if (!entity) return refuseCommunity('not_found', `no entity ${input.entityId} on the map`)
  if (!(campaignEntityKinds as readonly string[]).includes(entity.kind)) {
    return refuseCommunity('entity_not_linkable', 'a campaign is linked to a place (space) or a project')
  }
  if (input.groupId && !(await managesGroup(trx, actor.userId, input.groupId))) {
    return refuseCommunity('forbidden', "only a group's owners and managers open a campaign for it")
  }
  if (input.acceptCurrency === input.giveCurrency) {
    return refuseCommunity('invalid_campaign', 'a campaign accepts one currency and gives back another')
  }
  if (input.giveCurrency === timeCurrency) {
    return refuseCommunity('invalid_campaign', 'a campaign gives back a community currency, not time credits')
  }
  const currencies = await trx
    .selectFrom('currencies')
    .select(['code', 'scale'])
    .where('code', 'in', [input.acceptCurrency, input.giveCurrency])
    .execute()
  const scaleOf = (code: string) => currencies.find((c) => c.code === code)?.scale
  const acceptScale = scaleOf(input.acceptCurrency)
  const giveScale = scaleOf(input.giveCurrency)
  if (acceptScale === undefined)
    return refuseCommunity('currency_not_found', `no currency ${input.acceptCurrency}`)
  if (giveScale === undefined)
    return refuseCommunity('currency_not_found', `no currency ${input.giveCurrency}`)
  const amounts = parseAll({
    'ratio.accept': [input.ratio.accept, acceptScale],
    'ratio.give': [input.ratio.give, giveScale],
    cap: [input.cap, acceptScale],
    goal: [input.goal ?? input.cap, acceptScale],
  })
  if (!amounts.ok) return amounts
  const { 'ratio.accept': acceptStep, 'ratio.give': giveStep, cap, goal } = amounts.values
  if (cap % acceptStep !== 0n || goal % acceptStep !== 0n) {
    return refuseCommunity(
      'invalid_campaign',
      `cap and goal must be whole multiples of ${input.ratio.accept}`,
    )
  }
  if (goal > cap) return refuseCommunity('invalid_campaign', 'the goal cannot be above the cap')
  const deposit = (cap / acceptStep) * giveStep
  if (deposit > amountMinorMax)
    return refuseCommunity('invalid_campaign', 'the deposit this needs is too large')
  const { now } = (await sql<{ now: Date }>`SELECT now() AS now`.execute(trx)).rows[0]!
  const startsAt = input.startsAt ? new Date(input.startsAt) : new Date(now)
  const endsAt = new Date(input.endsAt)
  if (endsAt.getTime() <= startsAt.getTime() || endsAt.getTime() <= new Date(now).getTime()) {
    return refuseCommunity('invalid_campaign', 'the end must be after the start, and in the future')
  }
  if (endsAt.getTime() - startsAt.getTime() > campaignDurationDaysMax * 24 * 3600 * 1000) {
    return refuseCommunity('invalid_campaign', `a campaign runs ${campaignDurationDaysMax} days at most`)
  }
  const owner = input.groupId ? { groupId: input.groupId } : { userId: actor.userId }
  const ownerAccept = await ensureOwnerAccount(trx, owner, input.acceptCurrency)
  const ownerGive = await ensureOwnerAccount(trx, owner, input.giveCurrency)
  if (!ownerAccept || !ownerGive) return refuseCommunity('not_found', 'the owning group does not exist')
  const systemAccounts = await trx
    .insertInto('accounts')
    .values([
      {
        currency: input.acceptCurrency,
        owner_type: 'system',
        system_name: `campaign:${input.id}:escrow`,
        lower_limit: '0',
        upper_limit: cap.toString(),
      },
      {
        currency: input.giveCurrency,
        owner_type: 'system',
        system_name: `campaign:${input.id}:reserve`,
        lower_limit: '0',
        upper_limit: null,
      },
    ])
    .returning(['id', 'currency'])
    .execute()
  await trx
    .insertInto('campaigns')
    .values({
      id: input.id,
      entity_id: entity.id,
      owner_type: input.groupId ? 'group' : 'user',
      owner_user_id: input.groupId ? null : actor.userId,
      owner_group_id: input.groupId ?? null,
      title: input.title.trim() || input.title,
      description: input.description ?? '',
      accept_currency: input.acceptCurrency,
      give_currency: input.giveCurrency,
      accept_step: acceptStep,
      give_step: giveStep,
      cap,
      goal,
      deposit,
      starts_at: startsAt,
      ends_at: endsAt,
      escrow_account_id: systemAccounts.find((a) => a.currency === input.acceptCurrency)!.id,
      reserve_account_id: systemAccounts.find((a) => a.currency === input.giveCurrency)!.id,
      owner_accept_account_id: ownerAccept.id,
      owner_give_account_id: ownerGive.id,
      created_by: actor.userId,
    })
    .execute()
  const campaign = (await campaignView(trx, input.id))!
  await campaignEvent(trx, 'campaign.created', campaign)
  return { ok: true, campaign, replayed: false }
}

function parseAll<K extends string>(
  fields: Record<K, [string, number]>,
): { ok: true; values: Record<K, bigint> } | CommunityLedgerFailure {
  const values = {} as Record<K, bigint>
  for (const [name, [text, scale]] of Object.entries(fields) as [K, [string, number]][]) {
    const parsed = parseAmount(text, scale)
    if (!parsed.ok) return refuseCommunity('invalid_amount', `${name}: ${parsed.message}`)
    values[name] = parsed.minor
  }
  return { ok: true, values }
}

/** Whether the actor is the campaign's owner: the member who opened it, or a manager of the owning group. */
async function isOwner(db: Kysely<DB>, actor: Actor, campaign: CampaignRow): Promise<boolean> {
  if (campaign.owner_type === 'user') return campaign.owner_user_id === actor.userId
  return managesGroup(db, actor.userId, campaign.owner_group_id!)
}

/**
 * Every change to a campaign starts by locking its row, so pledges, withdrawals, the deposit, a stop and the
 * settlement of one campaign queue behind each other (the ledger's account locks come after, in id order, so
 * nothing waits in a cycle). `now` is the database's clock, which decides deadlines.
 */
async function lockCampaign(trx: Kysely<DB>, id: string) {
  const result = await sql<CampaignRow & { now: Date }>`
    SELECT c.*, now() AS now FROM campaigns c WHERE c.id = ${id}::uuid FOR UPDATE`.execute(trx)
  const row = result.rows[0]
  return row ? { campaign: row as CampaignRow, now: new Date(row.now) } : undefined
}

const isSettled = (c: CampaignRow) => c.state === 'funded' || c.state === 'stopped' || c.state === 'failed'
const hasEnded = (c: CampaignRow, now: Date) => new Date(c.ends_at).getTime() <= now.getTime()

/**
 * The owner deposits what the campaign gives back (cap ÷ accept × give of the given currency) from their own
 * account (or the owning group's) into the campaign's reserve: that unlocks it. Exactly once: its transfer id
 * is derived from the campaign.
 */
export async function depositCampaign(
  ledger: Ledger,
  actor: Actor,
  campaignId: string,
): Promise<CommunityLedgerOutcome<{ campaign: Campaign }>> {
  return ledger.db.transaction().execute(async (trx) => {
    const locked = await lockCampaign(trx, campaignId)
    if (!locked) return refuseCommunity('not_found', `no campaign ${campaignId}`)
    const { campaign, now } = locked
    if (!(await isOwner(trx, actor, campaign))) {
      return refuseCommunity('forbidden', 'only the owner of a campaign deposits for it')
    }
    if (campaign.state === 'open') return refuseCommunity('already_deposited', 'the deposit was made already')
    if (isSettled(campaign)) return refuseCommunity('campaign_closed', `the campaign is ${campaign.state}`)
    if (hasEnded(campaign, now)) {
      await settle(trx, campaign, 'failed', now)
      return refuseCommunity('campaign_closed', 'the campaign ended before it was unlocked')
    }
    const id = deterministicUuid(`${campaign.id}:deposit`)
    const [outcome] = await executeBatch(trx, [
      create(id, campaign.owner_give_account_id, campaign.reserve_account_id, BigInt(campaign.deposit), {
        currency: campaign.give_currency,
        memo: `Deposit: ${campaign.title}`,
        entityId: campaign.entity_id,
        createdBy: actor.userId,
      }),
    ])
    if (!outcome!.ok) {
      if (outcome!.code === 'exceeds_credit_limit') {
        return refuseCommunity(
          'exceeds_credit_limit',
          `the deposit needs ${formatAmount(BigInt(campaign.deposit), await scale(trx, campaign.give_currency))} ${campaign.give_currency}, more than the owner holds`,
        )
      }
      return refuseCommunity(outcome!.code, outcome!.message)
    }
    await trx
      .updateTable('campaigns')
      .set({ state: 'open', deposit_transfer_id: id })
      .where('id', '=', campaign.id)
      .execute()
    const view = (await campaignView(trx, campaign.id))!
    await campaignEvent(trx, 'campaign.opened', view)
    return { ok: true, campaign: view }
  })
}

/**
 * A backer pledges: the amount (whole steps of the accepted side of the ratio) is held on their account, into
 * the campaign's escrow, until the campaign settles or they withdraw. A pledge that would pass the cap is cut to
 * what is left; the pledge that reaches the cap settles the campaign at once, in the same transaction. The
 * owner (or a manager of the owning group) cannot back their own campaign. The id is the backer's key: a retry
 * answers the same pledge.
 */
export async function pledge(
  ledger: Ledger,
  actor: Actor,
  campaignId: string,
  input: { id: string; amount: string },
): Promise<CommunityLedgerOutcome<{ pledge: Pledge; campaign: Campaign; replayed: boolean }>> {
  return ledger.db.transaction().execute(async (trx) => {
    const locked = await lockCampaign(trx, campaignId)
    if (!locked) return refuseCommunity('not_found', `no campaign ${campaignId}`)
    const { campaign, now } = locked
    const earlier = await trx
      .selectFrom('campaign_pledges')
      .selectAll()
      .where('id', '=', input.id)
      .executeTakeFirst()
    if (earlier) {
      if (earlier.campaign_id !== campaign.id || earlier.backer_id !== actor.userId) {
        return refuseCommunity('exists_with_different_fields', `the key ${input.id} was used already`)
      }
      return {
        ok: true,
        replayed: true,
        pledge: (await pledgeViews(trx, { id: input.id }))[0]!,
        campaign: (await campaignView(trx, campaign.id))!,
      }
    }
    const refusal = await mayPledge(trx, actor, campaign, now)
    if (refusal) return refusal
    const acceptScale = await scale(trx, campaign.accept_currency)
    const requested = parseAmount(input.amount, acceptScale)
    if (!requested.ok) return refuseCommunity('invalid_amount', requested.message)
    const step = BigInt(campaign.accept_step)
    if (requested.minor % step !== 0n) {
      return refuseCommunity(
        'invalid_amount',
        `pledges are whole multiples of ${formatAmount(step, acceptScale)} ${campaign.accept_currency}`,
      )
    }
    const counts = await trx
      .selectFrom('campaign_pledges')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('campaign_id', '=', campaign.id)
      .executeTakeFirstOrThrow()
    if (Number(counts.n) >= campaignPledgesMax) {
      return refuseCommunity('too_many_pledges', `a campaign takes ${campaignPledgesMax} pledges at most`)
    }
    const escrow = await trx
      .selectFrom('accounts')
      .select(['credits_posted', 'credits_pending'])
      .where('id', '=', campaign.escrow_account_id)
      .executeTakeFirstOrThrow()
    const raised = BigInt(escrow.credits_posted) + BigInt(escrow.credits_pending)
    const left = BigInt(campaign.cap) - raised
    if (left <= 0n) return refuseCommunity('campaign_full', 'the campaign reached its cap')
    const amount = requested.minor < left ? requested.minor : left
    const account = await ensureOwnerAccount(trx, { userId: actor.userId }, campaign.accept_currency)
    if (!account) throw new Error(`member ${actor.userId} vanished while pledging`)
    const [outcome] = await executeBatch(trx, [
      {
        ...create(input.id, account.id, campaign.escrow_account_id, amount, {
          currency: campaign.accept_currency,
          memo: `Pledge: ${campaign.title}`,
          entityId: campaign.entity_id,
          createdBy: actor.userId,
        }),
        pending: true,
      },
    ])
    if (!outcome!.ok) return refuseCommunity(outcome!.code, outcome!.message)
    if (outcome!.replayed) {
      return refuseCommunity('exists_with_different_fields', `the key ${input.id} was used already`)
    }
    await trx
      .insertInto('campaign_pledges')
      .values({
        id: input.id,
        campaign_id: campaign.id,
        backer_id: actor.userId,
        account_id: account.id,
        requested: requested.minor,
        amount,
      })
      .execute()
    if (raised + amount === BigInt(campaign.cap)) {
      await campaignEvent(trx, 'campaign.pledged', (await campaignView(trx, campaign.id))!)
      await settle(trx, campaign, 'funded', now)
    } else {
      await campaignEvent(trx, 'campaign.pledged', (await campaignView(trx, campaign.id))!)
    }
    return {
      ok: true,
      replayed: false,
      pledge: (await pledgeViews(trx, { id: input.id }))[0]!,
      campaign: (await campaignView(trx, campaign.id))!,
    }
  })
}

/** Why the actor may not pledge to this campaign now, or undefined. Settles a campaign found past its end. */
async function mayPledge(
  trx: Kysely<DB>,
  actor: Actor,
  campaign: CampaignRow,
  now: Date,
): Promise<CommunityLedgerFailure | undefined> {
  if (campaign.state === 'locked' && !hasEnded(campaign, now)) {
    return refuseCommunity(
      'campaign_locked',
      'the campaign opens once its owner has deposited what it gives back',
    )
  }
  if (!isSettled(campaign) && hasEnded(campaign, now)) await settleDue(trx, campaign, now)
  if (isSettled(campaign) || hasEnded(campaign, now)) {
    return refuseCommunity('campaign_closed', 'the campaign has ended')
  }
  if (new Date(campaign.starts_at).getTime() > now.getTime()) {
    return refuseCommunity(
      'campaign_not_started',
      `the campaign starts at ${new Date(campaign.starts_at).toISOString()}`,
    )
  }
  if (await isOwner(trx, actor, campaign)) {
    return refuseCommunity('own_campaign', 'you cannot back your own campaign')
  }
  return undefined
}

/** A backer withdraws a pledge while the campaign runs: its hold is voided, exactly once. */
export async function withdrawPledge(
  ledger: Ledger,
  actor: Actor,
  campaignId: string,
  pledgeId: string,
): Promise<CommunityLedgerOutcome<{ pledge: Pledge; campaign: Campaign }>> {
  return ledger.db.transaction().execute(async (trx) => {
    const locked = await lockCampaign(trx, campaignId)
    if (!locked) return refuseCommunity('not_found', `no campaign ${campaignId}`)
    const { campaign, now } = locked
    const row = await trx
      .selectFrom('campaign_pledges')
      .selectAll()
      .where('id', '=', pledgeId)
      .where('campaign_id', '=', campaign.id)
      .executeTakeFirst()
    if (!row || row.backer_id !== actor.userId)
      return refuseCommunity('not_found', `no pledge ${pledgeId} of yours`)
    if (!isSettled(campaign) && hasEnded(campaign, now)) await settleDue(trx, campaign, now)
    if (isSettled(campaign) || hasEnded(campaign, now)) {
      return refuseCommunity('campaign_closed', 'the campaign has ended: pledges are settled, not withdrawn')
    }
    const [outcome] = await executeBatch(trx, [
      {
        kind: 'void',
        id: deterministicUuid(`${pledgeId}:withdraw`),
        pendingId: pledgeId,
        memo: 'withdrawn',
        createdBy: actor.userId,
      },
    ])
    if (!outcome!.ok) return refuseCommunity(outcome!.code, outcome!.message)
    const view = (await campaignView(trx, campaign.id))!
    if (!outcome!.replayed) await campaignEvent(trx, 'campaign.withdrawn', view)
    return { ok: true, pledge: (await pledgeViews(trx, { id: pledgeId }))[0]!, campaign: view }
  })
}

/**
 * The owner stops the campaign: every live pledge is voided and the deposit goes back. Past its end the
 * campaign settles by its own rules instead (funded when the goal was met), and the stop is refused.
 */
export async function stopCampaign(
  ledger: Ledger,
  actor: Actor,
  campaignId: string,
): Promise<CommunityLedgerOutcome<{ campaign: Campaign }>> {
  return ledger.db.transaction().execute(async (trx) => {
    const locked = await lockCampaign(trx, campaignId)
    if (!locked) return refuseCommunity('not_found', `no campaign ${campaignId}`)
    const { campaign, now } = locked
    if (!(await isOwner(trx, actor, campaign))) {
      return refuseCommunity('forbidden', 'only the owner of a campaign stops it')
    }
    if (!isSettled(campaign) && hasEnded(campaign, now)) await settleDue(trx, campaign, now)
    if (isSettled(campaign) || hasEnded(campaign, now)) {
      return refuseCommunity('campaign_closed', `the campaign is ${campaign.state} already`)
    }
    await settle(trx, campaign, 'stopped', now)
    return { ok: true, campaign: (await campaignView(trx, campaign.id))! }
  })
}

/**
 * Settles campaigns whose end passed: funded when the goal was met, failed otherwise (or when never unlocked).
 * Each in its own transaction under its row lock, so several instances sweeping at once settle each once.
 */
export async function settleDueCampaigns(ledger: Ledger): Promise<number> {
  const due = await ledger.db
    .selectFrom('campaigns')
    .select('id')
    .where('state', 'in', ['locked', 'open'])
    .where('ends_at', '<=', sql<Date>`now()`)
    .orderBy('ends_at')
    .limit(dueCampaignsPerSweepMax)
    .execute()
  let settled = 0
  for (const { id } of due) {
    const done = await ledger.db.transaction().execute(async (trx) => {
      const locked = await lockCampaign(trx, id)
      if (!locked || isSettled(locked.campaign) || !hasEnded(locked.campaign, locked.now)) return false
      await settleDue(trx, locked.campaign, locked.now)
      return true
    })
    if (done) settled += 1
  }
  return settled
}

/** Settles a campaign past its end by its own rules; `campaign.state` is updated in place. */
async function settleDue(trx: Kysely<DB>, campaign: CampaignRow, now: Date) {
  const escrow = await trx
    .selectFrom('accounts')
    .select(['credits_posted', 'credits_pending'])
    .where('id', '=', campaign.escrow_account_id)
    .executeTakeFirstOrThrow()
  const raised = BigInt(escrow.credits_posted) + BigInt(escrow.credits_pending)
  const funded = campaign.state === 'open' && raised >= BigInt(campaign.goal)
  await settle(trx, campaign, funded ? 'funded' : 'failed', now)
}

/**
 * Settles a campaign in one batch of the ledger, in the caller's transaction (the campaign row locked):
 * funded: every live pledge is posted, the escrow pays the owner what was raised, the reserve pays each pledge
 * its share of (raised ÷ accept × give), and what is left of the deposit goes back to the owner;
 * stopped or failed: every live pledge is voided and the deposit goes back. Each transfer's id is derived from
 * the pledge or the campaign, so nothing can be posted, voided or paid twice.
 *
 * The shares are allocated by the largest remainder method, ties going to the earlier pledge (pro-rata.ts).
 * Since pledges are whole steps of the ratio, every share is exact (amount ÷ accept × give) and the remainder is
 * zero; the allocation still guarantees that the payouts sum to exactly what was promised.
 */
async function settle(trx: Kysely<DB>, campaign: CampaignRow, how: Settlement, now: Date) {
  const live = await trx
    .selectFrom('campaign_pledges as p')
    .leftJoin('transfers as r', 'r.pending_id', 'p.id')
    .select(['p.id', 'p.amount', 'p.backer_id'])
    .where('p.campaign_id', '=', campaign.id)
    .where('r.id', 'is', null)
    .orderBy('p.seq')
    .execute()
  const deposited = campaign.deposit_transfer_id !== null
  const commands: LedgerCommand[] = []
  const payouts: { pledgeId: string; transferId: string }[] = []
  const common = { entityId: campaign.entity_id, createdBy: null }
  if (how === 'funded') {
    const raised = live.reduce((sum, p) => sum + BigInt(p.amount), 0n)
    for (const p of live) {
      commands.push({
        kind: 'post',
        id: deterministicUuid(`${p.id}:post`),
        pendingId: p.id,
        amount: null,
        createdBy: null,
      })
    }
    if (raised > 0n) {
      commands.push(
        create(
          deterministicUuid(`${campaign.id}:proceeds`),
          campaign.escrow_account_id,
          campaign.owner_accept_account_id,
          raised,
          {
            ...common,
            currency: campaign.accept_currency,
            memo: `Raised: ${campaign.title}`,
          },
        ),
      )
    }
    const promised = (raised / BigInt(campaign.accept_step)) * BigInt(campaign.give_step)
    const shares = allocateProRata(
      promised,
      live.map((p) => BigInt(p.amount)),
    )
    const accountOf = new Map<string, string>()
    for (const p of live) {
      if (accountOf.has(p.backer_id)) continue
      const account = await ensureOwnerAccount(trx, { userId: p.backer_id }, campaign.give_currency)
      if (!account) throw new Error(`backer ${p.backer_id} of campaign ${campaign.id} vanished`)
      accountOf.set(p.backer_id, account.id)
    }
    live.forEach((p, i) => {
      const share = shares[i]!
      if (share === 0n) return
      const id = deterministicUuid(`${p.id}:payout`)
      payouts.push({ pledgeId: p.id, transferId: id })
      commands.push(
        create(id, campaign.reserve_account_id, accountOf.get(p.backer_id)!, share, {
          ...common,
          currency: campaign.give_currency,
          memo: `Reward: ${campaign.title}`,
        }),
      )
    })
    const rest = BigInt(campaign.deposit) - promised
    if (rest > 0n) {
      commands.push(
        create(
          deterministicUuid(`${campaign.id}:refund`),
          campaign.reserve_account_id,
          campaign.owner_give_account_id,
          rest,
          {
            ...common,
            currency: campaign.give_currency,
            memo: `Deposit left over: ${campaign.title}`,
          },
        ),
      )
    }
  } else {
    for (const p of live) {
      commands.push({
        kind: 'void',
        id: deterministicUuid(`${p.id}:void`),
        pendingId: p.id,
        memo: how,
        createdBy: null,
      })
    }
    if (deposited) {
      commands.push(
        create(
          deterministicUuid(`${campaign.id}:refund`),
          campaign.reserve_account_id,
          campaign.owner_give_account_id,
          BigInt(campaign.deposit),
          {
            ...common,
            currency: campaign.give_currency,
            memo: `Deposit returned: ${campaign.title}`,
          },
        ),
      )
    }
  }
  const outcomes = commands.length ? await executeBatch(trx, commands) : []
  outcomes.forEach((outcome, i) => {
    // Every amount here was reserved under the campaign's lock: a refusal means the books are corrupt (or an
    // admin put an upper limit on a backer's account, which the settlement cannot honour).
    if (!outcome.ok) {
      throw new Error(
        `settling campaign ${campaign.id}: ${commands[i]!.kind} refused: ${outcome.code} ${outcome.message}`,
      )
    }
  })
  if (payouts.length) {
    await sql`UPDATE campaign_pledges p SET payout_transfer_id = v.transfer_id
      FROM json_to_recordset(${JSON.stringify(payouts.map((p) => ({ pledge_id: p.pledgeId, transfer_id: p.transferId })))}::json)
        AS v(pledge_id uuid, transfer_id uuid)
      WHERE p.id = v.pledge_id`.execute(trx)
  }
  await trx
    .updateTable('campaigns')
    .set({ state: how, settled_at: now })
    .where('id', '=', campaign.id)
    .execute()
  campaign.state = how
  campaign.settled_at = now
  await campaignEvent(trx, `campaign.${how}`, (await campaignView(trx, campaign.id))!)
}

function create(
  id: string,
  debitAccountId: string,
  creditAccountId: string,
  amount: bigint,
  fields: { currency: string; memo: string; entityId: string | null; createdBy: string | null },
): Extract<LedgerCommand, { kind: 'create' }> {
  return {
    kind: 'create',
    id,
    debitAccountId,
    creditAccountId,
    amount,
    currency: fields.currency,
    pending: false,
    timeoutSeconds: null,
    memo: fields.memo.slice(0, 500),
    entityId: fields.entityId,
    reversalOf: null,
    createdBy: fields.createdBy,
  }
}

async function scale(db: Kysely<DB>, code: string): Promise<number> {
  const row = await db
    .selectFrom('currencies')
    .select('scale')
    .where('code', '=', code)
    .executeTakeFirstOrThrow()
  return row.scale
}

/**
 * A public `campaign.*` event with the linked entity's bbox, written in the same transaction as the change: the
 * map shows the campaign's progress live to every viewport that sees the place.
 * (Its public geometry's bbox: a private location's is blurred, migrations/0008.)
 */
async function campaignEvent(trx: Kysely<DB>, topic: string, campaign: Campaign) {
  await outboxRecordsInsertSql(sql`(
    SELECT coalesce(json_agg(json_build_object(
             'topic', ${topic}::text, 'entity_id', e.id, 'min_lon', ST_XMin(e.public_geom),
             'min_lat', ST_YMin(e.public_geom), 'max_lon', ST_XMax(e.public_geom), 'max_lat', ST_YMax(e.public_geom),
             'payload', ${JSON.stringify(campaign)}::jsonb)), '[]'::json)
      FROM entities e WHERE e.id = ${campaign.entityId}::uuid)`).execute(trx)
}

const campaignColumns = sql`c.*, ac.scale AS accept_scale, gc.scale AS give_scale,
  e.credits_posted + e.credits_pending AS raised, now() AS now,
  (SELECT count(DISTINCT p.backer_id) FROM campaign_pledges p
    WHERE p.campaign_id = c.id
      AND NOT EXISTS (SELECT 1 FROM transfers r WHERE r.pending_id = p.id AND r.type = 'void_pending')) AS backers`
const campaignJoins = sql`JOIN currencies ac ON ac.code = c.accept_currency
  JOIN currencies gc ON gc.code = c.give_currency
  JOIN accounts e ON e.id = c.escrow_account_id`

type CampaignViewRow = CampaignRow & {
  accept_scale: number
  give_scale: number
  raised: string
  now: Date
  backers: string
}

function toCampaign(row: CampaignViewRow): Campaign {
  const accept = (v: bigint | string) => formatAmount(v, row.accept_scale)
  const give = (v: bigint | string) => formatAmount(v, row.give_scale)
  const now = new Date(row.now).getTime()
  let state: CampaignState = row.state
  if (row.state === 'open') {
    if (new Date(row.ends_at).getTime() <= now) state = 'ended'
    else if (new Date(row.starts_at).getTime() > now) state = 'scheduled'
  }
  return {
    id: row.id,
    entityId: row.entity_id,
    owner:
      row.owner_type === 'user'
        ? { type: 'user', userId: row.owner_user_id! }
        : { type: 'group', groupId: row.owner_group_id! },
    title: row.title,
    description: row.description,
    acceptCurrency: row.accept_currency,
    giveCurrency: row.give_currency,
    ratio: { accept: accept(row.accept_step), give: give(row.give_step) },
    cap: accept(row.cap),
    goal: accept(row.goal),
    raised: accept(row.raised),
    backers: Number(row.backers),
    deposit: give(row.deposit),
    deposited: row.deposit_transfer_id !== null,
    state,
    startsAt: new Date(row.starts_at).toISOString(),
    endsAt: new Date(row.ends_at).toISOString(),
    createdAt: new Date(row.created_at).toISOString(),
    settledAt: row.settled_at ? new Date(row.settled_at).toISOString() : null,
  }
}

/** A campaign as the API shows it, with what it raised and how many back it. */
export async function campaignView(db: Kysely<DB>, id: string): Promise<Campaign | undefined> {
  const result = await sql<CampaignViewRow>`SELECT ${campaignColumns} FROM campaigns c ${campaignJoins}
    WHERE c.id = ${id}::uuid`.execute(db)
  return result.rows[0] ? toCampaign(result.rows[0]) : undefined
}

/**
 * Campaigns newest first (keyset paging), optionally those of one entity. Only campaigns whose place or project
 * is on the public map are listed.
 */
export async function listCampaigns(
  db: Kysely<DB>,
  page: { limit: number; cursor?: string; entityId?: string },
): Promise<CommunityLedgerOutcome<{ items: Campaign[]; nextCursor: string | null }>> {
  const after = page.cursor === undefined ? undefined : decodeCursor(page.cursor)
  if (after === null) return refuseCommunity('invalid_cursor', 'the cursor is not one this API gave out')
  const result = await sql<CampaignViewRow>`SELECT ${campaignColumns} FROM campaigns c ${campaignJoins}
    WHERE EXISTS (SELECT 1 FROM visible_entities v WHERE v.id = c.entity_id)
      ${page.entityId ? sql`AND c.entity_id = ${page.entityId}::uuid` : sql``}
      ${after ? sql`AND (c.created_at, c.id) < (${after.createdAt}::timestamptz, ${after.id}::uuid)` : sql``}
    ORDER BY c.created_at DESC, c.id DESC LIMIT ${page.limit + 1}`.execute(db)
  const items = result.rows.slice(0, page.limit).map(toCampaign)
  const last = result.rows.length > page.limit ? items.at(-1) : undefined
  return {
    ok: true,
    items,
    nextCursor: last
      ? Buffer.from(JSON.stringify({ createdAt: last.createdAt, id: last.id })).toString('base64url')
      : null,
  }
}

function decodeCursor(cursor: string): { createdAt: string; id: string } | null {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
    if (
      typeof value?.createdAt !== 'string' ||
      Number.isNaN(Date.parse(value.createdAt)) ||
      typeof value.id !== 'string' ||
      !/^[0-9a-f-]{36}$/i.test(value.id)
    ) {
      return null
    }
    return value
  } catch {
    return null
  }
}

/**
 * Pledges to a campaign in pledge order: all of them for its owner, one's own for a backer (who backs what is
 * no one else's business).
 */
export async function listPledges(
  db: Kysely<DB>,
  actor: Actor,
  campaignId: string,
  page: { limit: number; cursor?: string },
): Promise<CommunityLedgerOutcome<{ items: Pledge[]; nextCursor: string | null }>> {
  const campaign = await db
    .selectFrom('campaigns')
    .selectAll()
    .where('id', '=', campaignId)
    .executeTakeFirst()
  if (!campaign) return refuseCommunity('not_found', `no campaign ${campaignId}`)
  if (page.cursor !== undefined && !/^[1-9][0-9]{0,18}$/.test(page.cursor)) {
    return refuseCommunity('invalid_cursor', 'the cursor is not one this API gave out')
  }
  const all = actor.role === 'admin' || (await isOwner(db, actor, campaign))
  const rows = await pledgeViews(db, {
    campaignId,
    ...(all ? {} : { backerId: actor.userId }),
    ...(page.cursor ? { afterSeq: page.cursor } : {}),
    limit: page.limit + 1,
  })
  const items = rows.slice(0, page.limit)
  return { ok: true, items, nextCursor: rows.length > page.limit ? items.at(-1)!.seq : null }
}

async function pledgeViews(
  db: Kysely<DB>,
  by: { id?: string; campaignId?: string; backerId?: string; afterSeq?: string; limit?: number },
): Promise<(Pledge & { seq: string })[]> {
  const rows = await db
    .selectFrom('campaign_pledges as p')
    .innerJoin('campaigns as c', 'c.id', 'p.campaign_id')
    .innerJoin('currencies as ac', 'ac.code', 'c.accept_currency')
    .innerJoin('currencies as gc', 'gc.code', 'c.give_currency')
    .leftJoin('transfers as r', 'r.pending_id', 'p.id')
    .leftJoin('transfers as o', 'o.id', 'p.payout_transfer_id')
    .select([
      'p.id',
      'p.seq',
      'p.campaign_id',
      'p.backer_id',
      'p.account_id',
      'p.requested',
      'p.amount',
      'p.created_at',
      'r.type as resolution',
      'o.amount as payout',
      'ac.scale as accept_scale',
      'gc.scale as give_scale',
    ])
    .$if(by.id !== undefined, (q) => q.where('p.id', '=', by.id!))
    .$if(by.campaignId !== undefined, (q) => q.where('p.campaign_id', '=', by.campaignId!))
    .$if(by.backerId !== undefined, (q) => q.where('p.backer_id', '=', by.backerId!))
    .$if(by.afterSeq !== undefined, (q) => q.where('p.seq', '>', by.afterSeq!))
    .orderBy('p.seq')
    .$if(by.limit !== undefined, (q) => q.limit(by.limit!))
    .execute()
  return rows.map((r) => ({
    id: r.id,
    seq: String(r.seq),
    campaignId: r.campaign_id,
    backerId: r.backer_id,
    accountId: r.account_id,
    requested: formatAmount(r.requested, r.accept_scale),
    amount: formatAmount(r.amount, r.accept_scale),
    state:
      r.resolution === 'post_pending' ? 'posted' : r.resolution === 'void_pending' ? 'voided' : 'pending',
    payout: r.payout === null ? null : formatAmount(r.payout, r.give_scale),
    createdAt: new Date(r.created_at).toISOString(),
  }))
}
