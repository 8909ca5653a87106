import type { Campaign, CampaignState, Pledge } from '@quartiere/contracts'
import type { CampaignPledgesTable, CampaignsTable, DB } from '@quartiere/db'
import { type Insertable, type Kysely, type Selectable, sql } from 'kysely'
import { formatAmount } from './amounts'

/**
 * The SQL of campaigns and their pledges. Simple reads and writes in the caller's transaction; the rules (who may
 * do what, which state follows which) are campaigns.service.ts's.
 */

export type CampaignRow = Selectable<CampaignsTable>
export type CampaignStoredState = CampaignRow['state']

/** Who created the campaign with this key, if any: a retry of the same key is answered, another's refused. */
export async function findCampaignCreator(db: Kysely<DB>, id: string): Promise<string | undefined> {
  const row = await db.selectFrom('campaigns').select('created_by').where('id', '=', id).executeTakeFirst()
  return row?.created_by
}

export async function findCampaign(db: Kysely<DB>, id: string): Promise<CampaignRow | undefined> {
  return db.selectFrom('campaigns').selectAll().where('id', '=', id).executeTakeFirst()
}

/** An entity on the public map (not deleted, not hidden) and its kind. */
export async function findVisibleEntity(
  db: Kysely<DB>,
  id: string,
): Promise<{ id: string; kind: string } | undefined> {
  return db.selectFrom('visible_entities').select(['id', 'kind']).where('id', '=', id).executeTakeFirst()
}

/** An entity not deleted and its author: whom the map asks whether the actor may edit it. */
export async function findLiveEntity(
  db: Kysely<DB>,
  id: string,
): Promise<{ id: string; authorId: string } | undefined> {
  const row = await db
    .selectFrom('entities')
    .select(['id', 'author_id'])
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst()
  return row ? { id: row.id, authorId: row.author_id } : undefined
}

export async function currencyScales(db: Kysely<DB>, codes: readonly string[]): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('currencies')
    .select(['code', 'scale'])
    .where('code', 'in', codes)
    .execute()
  return new Map(rows.map((row) => [row.code, row.scale]))
}

export async function currencyScale(db: Kysely<DB>, code: string): Promise<number> {
  const row = await db
    .selectFrom('currencies')
    .select('scale')
    .where('code', '=', code)
    .executeTakeFirstOrThrow()
  return row.scale
}

/** The database's clock, which decides a campaign's deadlines (the transaction's start, as `now()` is). */
export async function databaseNow(db: Kysely<DB>): Promise<Date> {
  const result = await sql<{ now: Date }>`SELECT now() AS now`.execute(db)
  return new Date(result.rows[0]!.now)
}

/** Opens the campaign's system accounts: the escrow (accepted currency, up to the cap) and the reserve. */
export async function insertCampaignAccounts(
  db: Kysely<DB>,
  campaign: { id: string; acceptCurrency: string; giveCurrency: string; cap: bigint },
): Promise<{ escrowAccountId: string; reserveAccountId: string }> {
  const rows = await db
    .insertInto('accounts')
    .values([
      {
        currency: campaign.acceptCurrency,
        owner_type: 'system',
        system_name: `campaign:${campaign.id}:escrow`,
        lower_limit: '0',
        upper_limit: campaign.cap.toString(),
      },
      {
        currency: campaign.giveCurrency,
        owner_type: 'system',
        system_name: `campaign:${campaign.id}:reserve`,
        lower_limit: '0',
        upper_limit: null,
      },
    ])
    .returning(['id', 'currency'])
    .execute()
  return {
    escrowAccountId: rows.find((a) => a.currency === campaign.acceptCurrency)!.id,
    reserveAccountId: rows.find((a) => a.currency === campaign.giveCurrency)!.id,
  }
}

/** A new campaign; its state is the column's default, `locked` (the only state a campaign starts in). */
export async function insertCampaign(
  db: Kysely<DB>,
  values: Omit<Insertable<CampaignsTable>, 'state' | 'deposit_transfer_id' | 'settled_at'>,
): Promise<void> {
  await db.insertInto('campaigns').values(values).execute()
}

/**
 * Locks a campaign's row for the rest of the transaction, with the database's clock. Every change to a campaign
 * starts here, so pledges, withdrawals, the deposit, a stop and the settlement of one campaign queue behind each
 * other (the ledger's account locks come after, in id order, so nothing waits in a cycle). `now` is the
 * database's clock, which decides deadlines.
 */
export async function lockCampaign(db: Kysely<DB>, id: string) {
  const result = await sql<CampaignRow & { now: Date }>`
    SELECT c.*, now() AS now FROM campaigns c WHERE c.id = ${id}::uuid FOR UPDATE`.execute(db)
  const row = result.rows[0]
  return row ? { campaign: row as CampaignRow, now: new Date(row.now) } : undefined
}

/**
 * Writes a campaign's new state, only if it still is `from` (the row is locked, so it is: a miss is a bug the
 * caller asserts on). Only the service's one transition function calls this.
 */
export async function updateCampaignState(
  db: Kysely<DB>,
  id: string,
  from: CampaignStoredState,
  change: { state: CampaignStoredState; depositTransferId?: string; settledAt?: Date },
): Promise<number> {
  const result = await db
    .updateTable('campaigns')
    .set({
      state: change.state,
      ...(change.depositTransferId !== undefined ? { deposit_transfer_id: change.depositTransferId } : {}),
      ...(change.settledAt !== undefined ? { settled_at: change.settledAt } : {}),
    })
    .where('id', '=', id)
    .where('state', '=', from)
    .executeTakeFirst()
  return Number(result.numUpdatedRows)
}

/** Campaigns whose end passed unsettled, soonest first. */
export async function dueCampaignIds(db: Kysely<DB>, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('campaigns')
    .select('id')
    .where('state', 'in', ['locked', 'open'])
    .where('ends_at', '<=', sql<Date>`now()`)
    .orderBy('ends_at')
    .limit(limit)
    .execute()
  return rows.map((row) => row.id)
}

/** What the escrow holds, posted and pending: what the campaign raised. */
export async function escrowRaised(db: Kysely<DB>, escrowAccountId: string): Promise<bigint> {
  const escrow = await db
    .selectFrom('accounts')
    .select(['credits_posted', 'credits_pending'])
    .where('id', '=', escrowAccountId)
    .executeTakeFirstOrThrow()
  return BigInt(escrow.credits_posted) + BigInt(escrow.credits_pending)
}

export type PledgeRow = Selectable<CampaignPledgesTable>

export async function findPledge(db: Kysely<DB>, id: string): Promise<PledgeRow | undefined> {
  return db.selectFrom('campaign_pledges').selectAll().where('id', '=', id).executeTakeFirst()
}

export async function findPledgeOfCampaign(
  db: Kysely<DB>,
  campaignId: string,
  pledgeId: string,
): Promise<PledgeRow | undefined> {
  return db
    .selectFrom('campaign_pledges')
    .selectAll()
    .where('id', '=', pledgeId)
    .where('campaign_id', '=', campaignId)
    .executeTakeFirst()
}

export async function countPledges(db: Kysely<DB>, campaignId: string): Promise<number> {
  const counts = await db
    .selectFrom('campaign_pledges')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('campaign_id', '=', campaignId)
    .executeTakeFirstOrThrow()
  return Number(counts.n)
}

export async function insertPledge(
  db: Kysely<DB>,
  values: Omit<Insertable<CampaignPledgesTable>, 'payout_transfer_id'>,
): Promise<void> {
  await db.insertInto('campaign_pledges').values(values).execute()
}

/** Pledges neither posted nor voided yet, in pledge order. */
export async function livePledges(
  db: Kysely<DB>,
  campaignId: string,
): Promise<{ id: string; amount: string; backer_id: string }[]> {
  return db
    .selectFrom('campaign_pledges as p')
    .leftJoin('transfers as r', 'r.pending_id', 'p.id')
    .select(['p.id', 'p.amount', 'p.backer_id'])
    .where('p.campaign_id', '=', campaignId)
    .where('r.id', 'is', null)
    .orderBy('p.seq')
    .execute()
}

/** Records which transfer paid each pledge its share, in one statement. */
export async function setPledgePayouts(
  db: Kysely<DB>,
  payouts: readonly { pledgeId: string; transferId: string }[],
): Promise<void> {
  if (payouts.length === 0) return
  await sql`UPDATE campaign_pledges p SET payout_transfer_id = v.transfer_id
    FROM json_to_recordset(${JSON.stringify(payouts.map((p) => ({ pledge_id: p.pledgeId, transfer_id: p.transferId })))}::json)
      AS v(pledge_id uuid, transfer_id uuid)
    WHERE p.id = v.pledge_id`.execute(db)
}

const campaignColumns = sql`c.*, ac.scale AS accept_scale, gc.scale AS give_scale,
  e.credits_posted + e.credits_pending AS raised, now() AS now,
  (SELECT count(DISTINCT p.backer_id) FROM campaign_pledges p
    WHERE p.campaign_id = c.id
      AND NOT EXISTS (SELECT 1 FROM transfers r WHERE r.pending_id = p.id AND r.type = 'void_pending')) AS backers`
const campaignJoins = sql`JOIN currencies ac ON ac.code = c.accept_currency
  JOIN currencies gc ON gc.code = c.give_currency
  JOIN accounts e ON e.id = c.escrow_account_id`

export type CampaignViewRow = CampaignRow & {
  accept_scale: number
  give_scale: number
  raised: string
  now: Date
  backers: string
}

/** Maps a campaign's row (with its currencies' scales, what it raised and its backers) to the domain type. */
export function toCampaign(row: CampaignViewRow): Campaign {
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

export async function selectCampaignView(db: Kysely<DB>, id: string): Promise<CampaignViewRow | undefined> {
  const result = await sql<CampaignViewRow>`SELECT ${campaignColumns} FROM campaigns c ${campaignJoins}
    WHERE c.id = ${id}::uuid`.execute(db)
  return result.rows[0]
}

/**
 * One page of campaigns newest first, after a keyset position, optionally of one entity: `limit` rows at most.
 * Only campaigns whose place or project is on the public map.
 */
export async function selectCampaignPage(
  db: Kysely<DB>,
  page: { limit: number; entityId?: string; after?: { createdAt: string; id: string } },
): Promise<CampaignViewRow[]> {
  const { after } = page
  const result = await sql<CampaignViewRow>`SELECT ${campaignColumns} FROM campaigns c ${campaignJoins}
    WHERE EXISTS (SELECT 1 FROM visible_entities v WHERE v.id = c.entity_id)
      ${page.entityId ? sql`AND c.entity_id = ${page.entityId}::uuid` : sql``}
      ${after ? sql`AND (c.created_at, c.id) < (${after.createdAt}::timestamptz, ${after.id}::uuid)` : sql``}
    ORDER BY c.created_at DESC, c.id DESC LIMIT ${page.limit}`.execute(db)
  return result.rows
}

type PledgeViewRow = Pick<
  PledgeRow,
  'id' | 'seq' | 'campaign_id' | 'backer_id' | 'account_id' | 'requested' | 'amount' | 'created_at'
> & {
  resolution: string | null
  payout: string | null
  accept_scale: number
  give_scale: number
}

/** Maps a pledge's row (with how its hold was resolved and its payout) to the domain type and its seq. */
export function toPledge(r: PledgeViewRow): Pledge & { seq: string } {
  return {
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
  }
}

export async function selectPledgeViews(
  db: Kysely<DB>,
  by: { id?: string; campaignId?: string; backerId?: string; afterSeq?: string; limit?: number },
): Promise<PledgeViewRow[]> {
  return db
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
}
