import {
  type Campaign,
  type CampaignCreateBody,
  campaignDurationDaysMax,
  campaignPledgesMax,
  type Pledge,
} from '@quartiere/contracts'
import { cursorTimestamp, type DB, defineCursor, managesGroup } from '@quartiere/db'
import { outboxRecordsInsertSql } from '@quartiere/realtime'
import { type Kysely, sql } from 'kysely'
import { type Actor, ensureOwnerAccount, timeCurrency } from './accounts'
import { amountMinorMax, formatAmount, parseWireAmount } from './amounts'
import { checkCampaignTransition, isSettledState } from './campaigns.lifecycle'
import {
  type CampaignRow,
  type CampaignStoredState,
  countPledges,
  currencyScale,
  currencyScales,
  databaseNow,
  dueCampaignIds,
  escrowRaised,
  findCampaign,
  findCampaignCreator,
  findPledge,
  findPledgeOfCampaign,
  findVisibleEntity,
  insertCampaign,
  insertCampaignAccounts,
  insertPledge,
  livePledges,
  lockCampaign,
  selectCampaignPage,
  selectCampaignView,
  selectPledgeViews,
  setPledgePayouts,
  toCampaign,
  toPledge,
  updateCampaignState,
} from './campaigns.repository'
import { deterministicUuid } from './deterministic-id'
import type { Ledger } from './ledger'
import { type CommunityLedgerFailure, type CommunityLedgerOutcome, refuseCommunity } from './outcome'
import { allocateProRata } from './pro-rata'
import { executeBatch } from './transfer-engine'
import type { LedgerCommand, TransferPolicy } from './types'

/** Campaigns whose end passed settled per sweep at most. */
export const dueCampaignsPerSweepMax = 100

type Settlement = Extract<CampaignStoredState, 'funded' | 'stopped' | 'failed'>
type LivePledge = Awaited<ReturnType<typeof livePledges>>[number]

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
  const creator = await findCampaignCreator(trx, input.id)
  if (creator !== undefined) {
    if (creator !== actor.userId) {
      return refuseCommunity('campaign_exists', `the key ${input.id} was used already for another campaign`)
    }
    return { ok: true, campaign: (await campaignView(trx, input.id))!, replayed: true }
  }
  const entity = await findVisibleEntity(trx, input.entityId)
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
  const scales = await currencyScales(trx, [input.acceptCurrency, input.giveCurrency])
  const acceptScale = scales.get(input.acceptCurrency)
  const giveScale = scales.get(input.giveCurrency)
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
  const now = await databaseNow(trx)
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
  const system = await insertCampaignAccounts(trx, {
    id: input.id,
    acceptCurrency: input.acceptCurrency,
    giveCurrency: input.giveCurrency,
    cap,
  })
  await insertCampaign(trx, {
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
    escrow_account_id: system.escrowAccountId,
    reserve_account_id: system.reserveAccountId,
    owner_accept_account_id: ownerAccept.id,
    owner_give_account_id: ownerGive.id,
    created_by: actor.userId,
  })
  const campaign = (await campaignView(trx, input.id))!
  await campaignEvent(trx, 'campaign.created', campaign)
  return { ok: true, campaign, replayed: false }
}

function parseAll<K extends string>(
  fields: Record<K, [string, number]>,
): { ok: true; values: Record<K, bigint> } | CommunityLedgerFailure {
  const values = {} as Record<K, bigint>
  for (const [name, [text, scale]] of Object.entries(fields) as [K, [string, number]][]) {
    const parsed = parseWireAmount(text, scale)
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

const isSettled = (c: CampaignRow) => isSettledState(c.state)
const hasEnded = (c: CampaignRow, now: Date) => new Date(c.ends_at).getTime() <= now.getTime()

/**
 * The one way a campaign's state changes: the move must be in the lifecycle's table (campaigns.lifecycle.ts),
 * checked here as an assertion, since every command refuses an illegal move before it does any work. The row is
 * locked by the caller; `campaign.state` is updated in place.
 */
async function moveCampaign(
  trx: Kysely<DB>,
  campaign: CampaignRow,
  to: CampaignStoredState,
  fields: { depositTransferId?: string; settledAt?: Date } = {},
): Promise<void> {
  const check = checkCampaignTransition(campaign.state, to)
  if (check !== 'allowed') {
    throw new Error(`campaign ${campaign.id}: ${campaign.state} → ${to} is not in its lifecycle (${check})`)
  }
  const updated = await updateCampaignState(trx, campaign.id, campaign.state, { state: to, ...fields })
  if (updated !== 1) throw new Error(`campaign ${campaign.id} changed state under its row lock`)
  campaign.state = to
  if (fields.depositTransferId !== undefined) campaign.deposit_transfer_id = fields.depositTransferId
  if (fields.settledAt !== undefined) campaign.settled_at = fields.settledAt
}

/**
 * The owner deposits what the campaign gives back (cap ÷ accept × give of the given currency) from their own
 * account (or the owning group's) into the campaign's reserve: that unlocks it. Exactly once: its transfer id
 * is derived from the campaign. Runs in the caller's transaction; a campaign found past its end is settled as
 * failed there even though the deposit is refused, so the caller commits refusals too.
 *
 * @example
 * const outcome = await db.transaction().execute((trx) => depositCampaign(trx, actor, campaignId))
 */
export async function depositCampaign(
  trx: Kysely<DB>,
  actor: Actor,
  campaignId: string,
  policy: TransferPolicy = {},
): Promise<CommunityLedgerOutcome<{ campaign: Campaign }>> {
  const locked = await lockCampaign(trx, campaignId)
  if (!locked) return refuseCommunity('not_found', `no campaign ${campaignId}`)
  const { campaign, now } = locked
  if (!(await isOwner(trx, actor, campaign))) {
    return refuseCommunity('forbidden', 'only the owner of a campaign deposits for it')
  }
  const check = checkCampaignTransition(campaign.state, 'open')
  switch (check) {
    case 'already':
      return refuseCommunity('already_deposited', 'the deposit was made already')
    case 'settled':
    case 'skipped':
      return refuseCommunity('campaign_closed', `the campaign is ${campaign.state}`)
    case 'allowed':
      break
    default:
      return check satisfies never
  }
  if (hasEnded(campaign, now)) {
    await settle(trx, campaign, 'failed', now)
    return refuseCommunity('campaign_closed', 'the campaign ended before it was unlocked')
  }
  const id = deterministicUuid(`${campaign.id}:deposit`)
  const [outcome] = await executeBatch(
    trx,
    [
      create(id, campaign.owner_give_account_id, campaign.reserve_account_id, BigInt(campaign.deposit), {
        currency: campaign.give_currency,
        memo: `Deposit: ${campaign.title}`,
        entityId: campaign.entity_id,
        createdBy: actor.userId,
      }),
    ],
    policy,
  )
  if (!outcome!.ok) {
    if (outcome!.code === 'exceeds_credit_limit') {
      return refuseCommunity(
        'exceeds_credit_limit',
        `the deposit needs ${formatAmount(BigInt(campaign.deposit), await currencyScale(trx, campaign.give_currency))} ${campaign.give_currency}, more than the owner holds`,
      )
    }
    return refuseCommunity(outcome!.code, outcome!.message)
  }
  await moveCampaign(trx, campaign, 'open', { depositTransferId: id })
  const view = (await campaignView(trx, campaign.id))!
  await campaignEvent(trx, 'campaign.opened', view)
  return { ok: true, campaign: view }
}

/**
 * A backer pledges: the amount (whole steps of the accepted side of the ratio) is held on their account, into
 * the campaign's escrow, until the campaign settles or they withdraw. A pledge that would pass the cap is cut to
 * what is left; the pledge that reaches the cap settles the campaign at once, in the same transaction. The
 * owner (or a manager of the owning group) cannot back their own campaign. The id is the backer's key: a retry
 * answers the same pledge. Runs in the caller's transaction, which commits refusals too (a campaign found past
 * its end is settled on the way).
 *
 * @example
 * const outcome = await db.transaction().execute((trx) => pledge(trx, actor, campaignId, { id, amount: '4.00' }))
 */
export async function pledge(
  trx: Kysely<DB>,
  actor: Actor,
  campaignId: string,
  input: { id: string; amount: string },
  policy: TransferPolicy = {},
): Promise<CommunityLedgerOutcome<{ pledge: Pledge; campaign: Campaign; replayed: boolean }>> {
  const locked = await lockCampaign(trx, campaignId)
  if (!locked) return refuseCommunity('not_found', `no campaign ${campaignId}`)
  const { campaign, now } = locked
  const earlier = await findPledge(trx, input.id)
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
  const acceptScale = await currencyScale(trx, campaign.accept_currency)
  const requested = parseWireAmount(input.amount, acceptScale)
  if (!requested.ok) return refuseCommunity('invalid_amount', requested.message)
  const step = BigInt(campaign.accept_step)
  if (requested.minor % step !== 0n) {
    return refuseCommunity(
      'invalid_amount',
      `pledges are whole multiples of ${formatAmount(step, acceptScale)} ${campaign.accept_currency}`,
    )
  }
  if ((await countPledges(trx, campaign.id)) >= campaignPledgesMax) {
    return refuseCommunity('too_many_pledges', `a campaign takes ${campaignPledgesMax} pledges at most`)
  }
  const raised = await escrowRaised(trx, campaign.escrow_account_id)
  const left = BigInt(campaign.cap) - raised
  if (left <= 0n) return refuseCommunity('campaign_full', 'the campaign reached its cap')
  const amount = requested.minor < left ? requested.minor : left
  const account = await ensureOwnerAccount(trx, { userId: actor.userId }, campaign.accept_currency)
  if (!account) throw new Error(`member ${actor.userId} vanished while pledging`)
  const [outcome] = await executeBatch(
    trx,
    [
      {
        ...create(input.id, account.id, campaign.escrow_account_id, amount, {
          currency: campaign.accept_currency,
          memo: `Pledge: ${campaign.title}`,
          entityId: campaign.entity_id,
          createdBy: actor.userId,
        }),
        pending: true,
      },
    ],
    policy,
  )
  if (!outcome!.ok) return refuseCommunity(outcome!.code, outcome!.message)
  if (outcome!.replayed) {
    return refuseCommunity('exists_with_different_fields', `the key ${input.id} was used already`)
  }
  await insertPledge(trx, {
    id: input.id,
    campaign_id: campaign.id,
    backer_id: actor.userId,
    account_id: account.id,
    requested: requested.minor,
    amount,
  })
  await campaignEvent(trx, 'campaign.pledged', (await campaignView(trx, campaign.id))!)
  if (raised + amount === BigInt(campaign.cap)) await settle(trx, campaign, 'funded', now)
  return {
    ok: true,
    replayed: false,
    pledge: (await pledgeViews(trx, { id: input.id }))[0]!,
    campaign: (await campaignView(trx, campaign.id))!,
  }
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

/**
 * A backer withdraws a pledge while the campaign runs: its hold is voided, exactly once. Runs in the caller's
 * transaction, which commits refusals too (a campaign found past its end is settled on the way).
 */
export async function withdrawPledge(
  trx: Kysely<DB>,
  actor: Actor,
  campaignId: string,
  pledgeId: string,
): Promise<CommunityLedgerOutcome<{ pledge: Pledge; campaign: Campaign }>> {
  const locked = await lockCampaign(trx, campaignId)
  if (!locked) return refuseCommunity('not_found', `no campaign ${campaignId}`)
  const { campaign, now } = locked
  const row = await findPledgeOfCampaign(trx, campaign.id, pledgeId)
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
}

/**
 * The owner stops the campaign: every live pledge is voided and the deposit goes back. Past its end the
 * campaign settles by its own rules instead (funded when the goal was met), and the stop is refused. Runs in the
 * caller's transaction, which commits that settlement with the refusal.
 */
export async function stopCampaign(
  trx: Kysely<DB>,
  actor: Actor,
  campaignId: string,
): Promise<CommunityLedgerOutcome<{ campaign: Campaign }>> {
  const locked = await lockCampaign(trx, campaignId)
  if (!locked) return refuseCommunity('not_found', `no campaign ${campaignId}`)
  const { campaign, now } = locked
  if (!(await isOwner(trx, actor, campaign))) {
    return refuseCommunity('forbidden', 'only the owner of a campaign stops it')
  }
  if (!isSettled(campaign) && hasEnded(campaign, now)) await settleDue(trx, campaign, now)
  if (checkCampaignTransition(campaign.state, 'stopped') !== 'allowed' || hasEnded(campaign, now)) {
    return refuseCommunity('campaign_closed', `the campaign is ${campaign.state} already`)
  }
  await settle(trx, campaign, 'stopped', now)
  return { ok: true, campaign: (await campaignView(trx, campaign.id))! }
}

/**
 * Settles campaigns whose end passed: funded when the goal was met, failed otherwise (or when never unlocked).
 * Each in its own transaction under its row lock, so several instances sweeping at once settle each once.
 */
export async function settleDueCampaigns(ledger: Ledger): Promise<number> {
  const due = await dueCampaignIds(ledger.db, dueCampaignsPerSweepMax)
  let settled = 0
  for (const id of due) {
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
  const raised = await escrowRaised(trx, campaign.escrow_account_id)
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
 *
 * The steps: refuse a move the lifecycle does not have (before any money moves), gather the commands, run them
 * as one batch, record the payouts and the new state, tell the map.
 */
async function settle(trx: Kysely<DB>, campaign: CampaignRow, how: Settlement, now: Date) {
  const check = checkCampaignTransition(campaign.state, how)
  if (check !== 'allowed') {
    throw new Error(`campaign ${campaign.id}: settling ${campaign.state} as ${how} (${check})`)
  }
  const live = await livePledges(trx, campaign.id)
  const { commands, payouts } =
    how === 'funded' ? await fundedCommands(trx, campaign, live) : unwindCommands(campaign, how, live)
  await runSettlement(trx, campaign, commands)
  await setPledgePayouts(trx, payouts)
  await moveCampaign(trx, campaign, how, { settledAt: now })
  await campaignEvent(trx, `campaign.${how}`, (await campaignView(trx, campaign.id))!)
}

type SettlementPlan = { commands: LedgerCommand[]; payouts: { pledgeId: string; transferId: string }[] }

/**
 * A funded campaign's batch: post every live pledge, pay the owner what was raised, pay each pledge its share of
 * what was promised from the reserve, and return what is left of the deposit.
 */
async function fundedCommands(
  trx: Kysely<DB>,
  campaign: CampaignRow,
  live: readonly LivePledge[],
): Promise<SettlementPlan> {
  const common = { entityId: campaign.entity_id, createdBy: null }
  const raised = live.reduce((sum, p) => sum + BigInt(p.amount), 0n)
  const commands: LedgerCommand[] = live.map((p) => ({
    kind: 'post',
    id: deterministicUuid(`${p.id}:post`),
    pendingId: p.id,
    amount: null,
    createdBy: null,
  }))
  if (raised > 0n) {
    commands.push(
      create(
        deterministicUuid(`${campaign.id}:proceeds`),
        campaign.escrow_account_id,
        campaign.owner_accept_account_id,
        raised,
        { ...common, currency: campaign.accept_currency, memo: `Raised: ${campaign.title}` },
      ),
    )
  }
  const promised = (raised / BigInt(campaign.accept_step)) * BigInt(campaign.give_step)
  const shares = allocateProRata(
    promised,
    live.map((p) => BigInt(p.amount)),
  )
  const accountOf = await backerAccounts(trx, campaign, live)
  const payouts: SettlementPlan['payouts'] = []
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
        { ...common, currency: campaign.give_currency, memo: `Deposit left over: ${campaign.title}` },
      ),
    )
  }
  return { commands, payouts }
}

/** Each backer's account in the given currency, opened where they have none yet: where their reward goes. */
async function backerAccounts(
  trx: Kysely<DB>,
  campaign: CampaignRow,
  live: readonly LivePledge[],
): Promise<Map<string, string>> {
  const accountOf = new Map<string, string>()
  for (const p of live) {
    if (accountOf.has(p.backer_id)) continue
    const account = await ensureOwnerAccount(trx, { userId: p.backer_id }, campaign.give_currency)
    if (!account) throw new Error(`backer ${p.backer_id} of campaign ${campaign.id} vanished`)
    accountOf.set(p.backer_id, account.id)
  }
  return accountOf
}

/** A stopped or failed campaign's batch: void every live pledge and return the deposit, if it was made. */
function unwindCommands(
  campaign: CampaignRow,
  how: Exclude<Settlement, 'funded'>,
  live: readonly LivePledge[],
): SettlementPlan {
  const commands: LedgerCommand[] = live.map((p) => ({
    kind: 'void',
    id: deterministicUuid(`${p.id}:void`),
    pendingId: p.id,
    memo: how,
    createdBy: null,
  }))
  if (campaign.deposit_transfer_id !== null) {
    commands.push(
      create(
        deterministicUuid(`${campaign.id}:refund`),
        campaign.reserve_account_id,
        campaign.owner_give_account_id,
        BigInt(campaign.deposit),
        {
          entityId: campaign.entity_id,
          createdBy: null,
          currency: campaign.give_currency,
          memo: `Deposit returned: ${campaign.title}`,
        },
      ),
    )
  }
  return { commands, payouts: [] }
}

/** Runs a settlement's batch; every command must pass. */
async function runSettlement(trx: Kysely<DB>, campaign: CampaignRow, commands: readonly LedgerCommand[]) {
  const outcomes = commands.length ? await executeBatch(trx, [...commands]) : []
  outcomes.forEach((outcome, i) => {
    // Every amount here was reserved under the campaign's lock: a refusal means the books are corrupt (or an
    // admin put an upper limit on a backer's account, which the settlement cannot honour).
    if (!outcome.ok) {
      throw new Error(
        `settling campaign ${campaign.id}: ${commands[i]!.kind} refused: ${outcome.code} ${outcome.message}`,
      )
    }
  })
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

/** A campaign as the API shows it, with what it raised and how many back it. */
export async function campaignView(db: Kysely<DB>, id: string): Promise<Campaign | undefined> {
  const row = await selectCampaignView(db, id)
  return row ? toCampaign(row) : undefined
}

/**
 * Campaigns newest first (keyset paging), optionally those of one entity. Only campaigns whose place or project
 * is on the public map are listed.
 */
export async function listCampaigns(
  db: Kysely<DB>,
  page: { limit: number; cursor?: string; entityId?: string },
): Promise<CommunityLedgerOutcome<{ items: Campaign[]; nextCursor: string | null }>> {
  const after = page.cursor === undefined ? undefined : campaignCursor.decode(page.cursor)
  if (after === undefined && page.cursor !== undefined)
    return refuseCommunity('invalid_cursor', 'the cursor is not one this API gave out')
  const rows = await selectCampaignPage(db, {
    limit: page.limit + 1,
    ...(page.entityId ? { entityId: page.entityId } : {}),
    ...(after ? { after } : {}),
  })
  const items = rows.slice(0, page.limit).map(toCampaign)
  const last = rows.length > page.limit ? items.at(-1) : undefined
  return {
    ok: true,
    items,
    nextCursor: last
      ? campaignCursor.encode({ createdAt: cursorTimestamp(new Date(last.createdAt)), id: last.id })
      : null,
  }
}

/**
 * A campaign's key in the list, newest first. Its creation time travels to the millisecond, as the campaign
 * carries it: only a campaign created in the same millisecond as a page's last one could be skipped, and
 * campaigns are created by people, far apart.
 */
const campaignCursor = defineCursor({ createdAt: 'timestamp', id: 'uuid' })

/** A pledge's key in the list: its sequence number. */
const pledgeCursor = defineCursor({ seq: 'seq' })

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
  const campaign = await findCampaign(db, campaignId)
  if (!campaign) return refuseCommunity('not_found', `no campaign ${campaignId}`)
  const after = page.cursor === undefined ? undefined : pledgeCursor.decode(page.cursor)
  if (page.cursor !== undefined && !after) {
    return refuseCommunity('invalid_cursor', 'the cursor is not one this API gave out')
  }
  const all = actor.role === 'admin' || (await isOwner(db, actor, campaign))
  const rows = await pledgeViews(db, {
    campaignId,
    ...(all ? {} : { backerId: actor.userId }),
    ...(after ? { afterSeq: after.seq } : {}),
    limit: page.limit + 1,
  })
  const items = rows.slice(0, page.limit)
  return {
    ok: true,
    items,
    nextCursor: rows.length > page.limit ? pledgeCursor.encode({ seq: items.at(-1)!.seq }) : null,
  }
}

async function pledgeViews(
  db: Kysely<DB>,
  by: { id?: string; campaignId?: string; backerId?: string; afterSeq?: string; limit?: number },
): Promise<(Pledge & { seq: string })[]> {
  return (await selectPledgeViews(db, by)).map(toPledge)
}
