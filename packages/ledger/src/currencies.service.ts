import type {
  Account,
  Currency,
  CurrencyCreateBody,
  CurrencyHolder,
  CurrencyPermissions,
  IssuingGroup,
  MintBody,
  RedemptionBody,
  Transfer,
  TransferCaps,
} from '@quartiere/contracts'
import { type DB, groupManagerRoleSql, managedGroupIds, managesGroup } from '@quartiere/db'
import { type Kysely, sql } from 'kysely'
import { type Actor, accountView, findIssuanceAccount, mayOperate, timeCurrency } from './accounts'
import { formatAmount, parseWireAmount } from './amounts'
import type { Ledger } from './ledger'
import { type CommunityLedgerOutcome, refuseCommunity } from './outcome'
import { transferStates, transferView } from './transfer-views'

export type CommunityTransferResult = CommunityLedgerOutcome<{ transfer: Transfer; replayed: boolean }>

// Who speaks for a group's money is @quartiere/db's owner-or-manager rule; the ledger's public API keeps it.
export { managesGroup }

/**
 * The rules of a currency's issuer, written once: each act below is enforced by them, and `can` on the currency
 * answer is computed by them, so the web offers what the API would accept and nothing else.
 */
const issuerRules = {
  /** Mint, give credit lines, list the holders: an owner or manager of the issuing group. */
  speaksForIssuer: (managesIssuer: boolean) => managesIssuer,
  /** Transfer caps: an admin, or who speaks for the issuer. */
  setsCaps: (actor: Actor, managesIssuer: boolean) => actor.role === 'admin' || managesIssuer,
  /** Credit lines create units nobody minted: only a currency without a supply cap gives them. */
  givesCreditLines: (supplyCap: string | null) => supplyCap === null,
}

function permissionsOf(actor: Actor, managesIssuer: boolean, supplyCap: string | null): CurrencyPermissions {
  const speaks = issuerRules.speaksForIssuer(managesIssuer)
  return {
    mint: speaks,
    setCaps: issuerRules.setsCaps(actor, managesIssuer),
    setCreditLines: speaks && issuerRules.givesCreditLines(supplyCap),
    readHolders: speaks,
  }
}

/**
 * The currencies as `actor` reads them: each with `can`, what the actor may do with it. One query for the
 * groups among the issuers that the actor manages (the same owner-or-manager rule every act checks).
 */
export async function currenciesForViewer(
  db: Kysely<DB>,
  actor: Actor | null | undefined,
  currencies: Currency[],
): Promise<Currency[]> {
  if (!actor) return currencies
  const issuers = [...new Set(currencies.flatMap((item) => (item.issuerGroupId ? [item.issuerGroupId] : [])))]
  const managed = new Set(await managedGroupIds(db, actor.userId, issuers))
  return currencies.map((item) => ({
    ...item,
    can: permissionsOf(
      actor,
      item.kind !== 'time' && item.issuerGroupId !== null && managed.has(item.issuerGroupId),
      item.supply.cap,
    ),
  }))
}

/** One currency as `actor` reads it (see `currenciesForViewer`). */
export async function currencyForViewer(
  db: Kysely<DB>,
  actor: Actor | null | undefined,
  currency: Currency,
): Promise<Currency> {
  return (await currenciesForViewer(db, actor, [currency]))[0]!
}

/**
 * The live groups the actor may issue a currency for (owner or manager, the rule `createCurrency` enforces), by
 * title, at most `issuingGroupsMax`.
 */
export async function issuingGroupsOf(db: Kysely<DB>, actor: Actor, max: number): Promise<IssuingGroup[]> {
  const rows = await db
    .selectFrom('group_members as m')
    .innerJoin('entities as e', 'e.id', 'm.group_id')
    .select(['e.id', 'e.title'])
    .where('m.user_id', '=', actor.userId)
    .where(groupManagerRoleSql('m.role'))
    .where('e.kind', '=', 'group')
    .where('e.deleted_at', 'is', null)
    .orderBy('e.title')
    .orderBy('e.id')
    .limit(max)
    .execute()
  return rows.map((row) => ({ groupId: row.id, title: row.title }))
}

/** A holders' cursor is the last account id of the page before. */
const holderCursorPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/**
 * The accounts that hold a community currency (members and groups), with the holder's name, a page at a time
 * by account id: for the issuing managers, who give credit lines to them.
 */
export async function listCurrencyHolders(
  db: Kysely<DB>,
  actor: Actor,
  code: string,
  page: { limit: number; cursor?: string },
): Promise<CommunityLedgerOutcome<{ items: CurrencyHolder[]; nextCursor: string | null }>> {
  if (page.cursor !== undefined && !holderCursorPattern.test(page.cursor)) {
    return refuseCommunity('invalid_cursor', 'the cursor is not one this API gave out')
  }
  const currency = await issuedCurrency(db, code)
  if (!currency) return refuseCommunity('currency_not_found', `no community currency ${code}`)
  if (!issuerRules.speaksForIssuer(await managesGroup(db, actor.userId, currency.issuerGroupId))) {
    return refuseCommunity('forbidden', "only the issuing group's owners and managers list its holders")
  }
  const rows = await db
    .selectFrom('accounts as a')
    .leftJoin('users as u', 'u.id', 'a.owner_user_id')
    .leftJoin('entities as g', 'g.id', 'a.owner_group_id')
    .selectAll('a')
    .select(sql<string>`coalesce(u.display_name, g.title, '')`.as('holder_name'))
    .where('a.currency', '=', code)
    .where('a.owner_type', '<>', 'system')
    .$if(page.cursor !== undefined, (q) => q.where('a.id', '>', page.cursor!))
    .orderBy('a.id')
    .limit(page.limit + 1)
    .execute()
  const items = rows
    .slice(0, page.limit)
    .map(({ holder_name, ...row }) => ({ account: accountView(row, currency.scale), name: holder_name }))
  return {
    ok: true,
    items,
    nextCursor: rows.length > page.limit ? items.at(-1)!.account.id : null,
  }
}

/** A decimal string of at most `scale` places in minor units, zero allowed (a credit line of "0"). */
function parseNonNegative(text: string, scale: number): bigint | undefined {
  if (!/^(0|[1-9][0-9]{0,17})(\.[0-9]{1,18})?$/.test(text)) return undefined
  const [whole, fraction = ''] = text.split('.')
  if (fraction.length > scale) return undefined
  return BigInt(whole! + fraction.padEnd(scale, '0'))
}

/**
 * A group's managers issue a currency of the group: a coin (2 decimals unless said otherwise) for local
 * exchange, or a coupon (whole units) redeemable with the group. Its issuance account is opened with it; a hard
 * cap on supply becomes that account's lower limit, so every mint is checked against it under the account's
 * row lock. The terms are stored as given and the database records their SHA-256.
 *
 * @example
 * const created = await createCurrency(db, actor, { code: 'ORTO', name: 'Orto coin', kind: 'coin',
 *   issuerGroupId, terms: 'Accepted at the garden kiosk.', supplyCap: '10000.00' })
 */
export async function createCurrency(
  db: Kysely<DB>,
  actor: Actor,
  input: CurrencyCreateBody,
): Promise<CommunityLedgerOutcome<{ currency: Currency }>> {
  if (input.code === timeCurrency) return refuseCommunity('currency_exists', 'TIME is the time credits')
  const scale = input.scale ?? (input.kind === 'coupon' ? 0 : 2)
  if (input.kind === 'coupon' && scale !== 0) {
    return refuseCommunity('invalid_amount', 'a coupon counts whole units: its scale is 0')
  }
  const group = await db
    .selectFrom('entities')
    .select('id')
    .where('id', '=', input.issuerGroupId)
    .where('kind', '=', 'group')
    .where('deleted_at', 'is', null)
    .executeTakeFirst()
  if (!group) return refuseCommunity('not_found', `no group ${input.issuerGroupId}`)
  if (!(await managesGroup(db, actor.userId, group.id))) {
    return refuseCommunity('forbidden', "only the group's owners and managers issue a currency for it")
  }
  let cap: bigint | null = null
  if (input.supplyCap) {
    const parsed = parseWireAmount(input.supplyCap, scale)
    if (!parsed.ok) return refuseCommunity('invalid_amount', `supplyCap: ${parsed.message}`)
    cap = parsed.minor
  }
  const creditLine = parseNonNegative(input.creditLine ?? '0', scale)
  if (creditLine === undefined) {
    return refuseCommunity('invalid_amount', `creditLine must be a decimal with at most ${scale} decimals`)
  }
  if (cap !== null && creditLine > 0n) {
    return refuseCommunity(
      'credit_line_with_cap',
      'a currency with a supply cap cannot give credit lines: holders would pay with units past the cap',
    )
  }
  const created = await db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('currencies')
      .values({
        code: input.code,
        name: input.name.trim() || input.name,
        scale,
        kind: input.kind,
        issuer_group_id: group.id,
        description: input.description ?? '',
        terms: input.terms,
        supply_cap: cap,
        default_lower_limit: (-creditLine).toString(),
        logo_url: input.logoUrl ?? null,
        created_by: actor.userId,
      })
      .onConflict((oc) => oc.column('code').doNothing())
      .returning('code')
      .executeTakeFirst()
    if (!row) return false
    await trx
      .insertInto('accounts')
      .values({
        currency: input.code,
        owner_type: 'system',
        system_name: 'issuance',
        lower_limit: cap === null ? null : (-cap).toString(),
        upper_limit: null,
      })
      .execute()
    return true
  })
  if (!created) return refuseCommunity('currency_exists', `the code ${input.code} is taken`)
  const currency = await getCurrency(db, input.code)
  if (!currency) throw new Error(`currency ${input.code} vanished after it was created`)
  return { ok: true, currency }
}

type CurrencyRow = {
  code: string
  name: string
  kind: 'time' | 'coin' | 'coupon'
  scale: number
  issuer_group_id: string | null
  description: string
  terms_sha256: string
  default_lower_limit: string
  logo_url: string | null
  supply_cap: string | null
  transfer_amount_max: string | null
  daily_amount_max: string | null
  daily_transfers_max: number | null
  created_at: Date
  minted: string | null
  minting: string | null
  redeemed: string | null
  issuer_holding: string | null
}

function currencyQuery(db: Kysely<DB>) {
  return db
    .selectFrom('currencies as c')
    .leftJoin('accounts as i', (join) =>
      join
        .onRef('i.currency', '=', 'c.code')
        .on('i.owner_type', '=', 'system')
        .on('i.system_name', '=', 'issuance'),
    )
    .leftJoin('accounts as g', (join) =>
      join
        .onRef('g.currency', '=', 'c.code')
        .on('g.owner_type', '=', 'group')
        .onRef('g.owner_group_id', '=', 'c.issuer_group_id'),
    )
    .select([
      'c.code',
      'c.name',
      'c.kind',
      'c.scale',
      'c.issuer_group_id',
      'c.description',
      'c.terms_sha256',
      'c.default_lower_limit',
      'c.logo_url',
      'c.supply_cap',
      'c.transfer_amount_max',
      'c.daily_amount_max',
      'c.daily_transfers_max',
      'c.created_at',
      'i.debits_posted as minted',
      'i.debits_pending as minting',
      'i.credits_posted as redeemed',
      sql<string | null>`g.credits_posted - g.debits_posted`.as('issuer_holding'),
    ])
}

function toCurrency(row: CurrencyRow): Currency {
  const format = (value: bigint) => formatAmount(value, row.scale)
  const minted = BigInt(row.minted ?? 0)
  const redeemed = BigInt(row.redeemed ?? 0)
  const supply = minted - redeemed
  const cap = row.supply_cap === null ? null : BigInt(row.supply_cap)
  return {
    code: row.code,
    name: row.name,
    kind: row.kind,
    scale: row.scale,
    issuerGroupId: row.issuer_group_id,
    description: row.description,
    termsSha256: row.terms_sha256,
    creditLine: format(-BigInt(row.default_lower_limit)),
    logoUrl: row.logo_url,
    supply: {
      minted: format(minted),
      redeemed: format(redeemed),
      supply: format(supply),
      outstanding: format(supply - BigInt(row.issuer_holding ?? 0)),
      cap: cap === null ? null : format(cap),
      mintable: cap === null ? null : format(cap - supply - BigInt(row.minting ?? 0)),
    },
    caps: {
      transferAmountMax: row.transfer_amount_max === null ? null : format(BigInt(row.transfer_amount_max)),
      dailyAmountMax: row.daily_amount_max === null ? null : format(BigInt(row.daily_amount_max)),
      dailyTransfersMax: row.daily_transfers_max,
    },
    createdAt: new Date(row.created_at).toISOString(),
  }
}

/** A currency with its supply: minted, redeemed, what exists, what others than the issuer hold, what is left. */
export async function getCurrency(db: Kysely<DB>, code: string): Promise<Currency | undefined> {
  const row = await currencyQuery(db).where('c.code', '=', code).executeTakeFirst()
  return row ? toCurrency(row as CurrencyRow) : undefined
}

/** Currencies by code (keyset paging on the code), optionally those of one issuing group. */
export async function listCurrencies(
  db: Kysely<DB>,
  page: { limit: number; cursor?: string; issuerGroupId?: string },
): Promise<CommunityLedgerOutcome<{ items: Currency[]; nextCursor: string | null }>> {
  if (page.cursor !== undefined && !/^[A-Z][A-Z0-9]{1,11}$/.test(page.cursor)) {
    return refuseCommunity('invalid_cursor', 'the cursor is not one this API gave out')
  }
  const rows = await currencyQuery(db)
    .$if(page.cursor !== undefined, (q) => q.where('c.code', '>', page.cursor!))
    .$if(page.issuerGroupId !== undefined, (q) => q.where('c.issuer_group_id', '=', page.issuerGroupId!))
    .orderBy('c.code')
    .limit(page.limit + 1)
    .execute()
  const items = rows.slice(0, page.limit).map((r) => toCurrency(r as CurrencyRow))
  return { ok: true, items, nextCursor: rows.length > page.limit ? items.at(-1)!.code : null }
}

/** The terms document a currency was issued under, and its recorded hash. */
export async function currencyTerms(db: Kysely<DB>, code: string) {
  return db
    .selectFrom('currencies')
    .select(['terms', 'terms_sha256'])
    .where('code', '=', code)
    .executeTakeFirst()
}

/** A community currency and whether the actor may speak for its issuer, or why not. */
async function issuedCurrency(db: Kysely<DB>, code: string) {
  const row = await db
    .selectFrom('currencies')
    .select(['code', 'kind', 'scale', 'issuer_group_id', 'supply_cap'])
    .where('code', '=', code)
    .executeTakeFirst()
  return row && row.kind !== 'time' && row.issuer_group_id
    ? { ...row, issuerGroupId: row.issuer_group_id }
    : undefined
}

/**
 * A manager of the issuing group mints: new units move from the currency's issuance account into a member's or
 * a group's account, as a posted transfer through the batcher (idempotency key, account locks, durable before
 * acknowledged). The supply cap is the issuance account's lower limit, so a mint that would pass it is refused
 * in the same transaction, whatever else is minting at the same moment.
 */
export async function mintCurrency(
  ledger: Ledger,
  actor: Actor,
  code: string,
  input: MintBody & { id: string },
): Promise<CommunityTransferResult> {
  const { db } = ledger
  const currency = await issuedCurrency(db, code)
  if (!currency) return refuseCommunity('currency_not_found', `no community currency ${code}`)
  if (!issuerRules.speaksForIssuer(await managesGroup(db, actor.userId, currency.issuerGroupId))) {
    return refuseCommunity('forbidden', "only the issuing group's owners and managers mint")
  }
  const amount = parseWireAmount(input.amount, currency.scale)
  if (!amount.ok) return refuseCommunity('invalid_amount', amount.message)
  const issuance = await findIssuanceAccount(db, code)
  if (!issuance) throw new Error(`currency ${code} has no issuance account`)
  const to = await ledger.accounts.byOwner(input.to, code, true)
  if (!to) return refuseCommunity('account_not_found', 'the receiving member or group does not exist')
  const outcome = await ledger.batcher.submit({
    kind: 'create',
    id: input.id,
    debitAccountId: issuance.id,
    creditAccountId: to.id,
    amount: amount.minor,
    currency: code,
    pending: false,
    timeoutSeconds: null,
    memo: input.memo,
    entityId: null,
    reversalOf: null,
    createdBy: actor.userId,
  })
  if (!outcome.ok) {
    // Only the issuance account is debited by a mint, and its only limit is the cap.
    if (outcome.code === 'exceeds_credit_limit') {
      return refuseCommunity(
        'supply_cap_reached',
        `minting ${input.amount} would pass the supply cap of ${code}`,
      )
    }
    return refuseCommunity(outcome.code, outcome.message)
  }
  return transferResult(ledger, outcome.transfer, outcome.replayed, currency.scale)
}

/**
 * A holder redeems coupons with the issuing group: they go back into the currency's issuance account (they
 * stop existing, and the supply shrinks), as a posted transfer whose credit side is the issuance account: that
 * is what marks a redemption in the books. Coins are not redeemed; they circulate.
 */
export async function redeemCoupons(
  ledger: Ledger,
  actor: Actor,
  code: string,
  input: RedemptionBody & { id: string },
): Promise<CommunityTransferResult> {
  const { db } = ledger
  const currency = await issuedCurrency(db, code)
  if (!currency) return refuseCommunity('currency_not_found', `no community currency ${code}`)
  if (currency.kind !== 'coupon') {
    return refuseCommunity('not_redeemable', `${code} is a coin: coins circulate, only coupons are redeemed`)
  }
  const amount = parseWireAmount(input.amount, currency.scale)
  if (!amount.ok) return refuseCommunity('invalid_amount', amount.message)
  const from = input.from
    ? await ledger.accounts.byId(input.from)
    : await ledger.accounts.byOwner({ userId: actor.userId }, code, false)
  if (!from || from.currency !== code) {
    return refuseCommunity(
      'account_not_found',
      input.from ? `no ${code} account ${input.from}` : `you hold no ${code}`,
    )
  }
  if (!(await mayOperate(db, actor, from))) {
    return refuseCommunity(
      'forbidden',
      'only the holder of an account, or a manager of its group, redeems from it',
    )
  }
  const issuance = await findIssuanceAccount(db, code)
  if (!issuance) throw new Error(`currency ${code} has no issuance account`)
  const outcome = await ledger.batcher.submit({
    kind: 'create',
    id: input.id,
    debitAccountId: from.id,
    creditAccountId: issuance.id,
    amount: amount.minor,
    currency: code,
    pending: false,
    timeoutSeconds: null,
    memo: input.memo?.trim() ? input.memo : `Redemption of ${input.amount} ${code}`,
    entityId: null,
    reversalOf: null,
    createdBy: actor.userId,
  })
  if (!outcome.ok) return refuseCommunity(outcome.code, outcome.message)
  return transferResult(ledger, outcome.transfer, outcome.replayed, currency.scale)
}

/**
 * The issuer gives one holder a credit line: how far below zero the account may go. Only for currencies without
 * a supply cap (a credit line creates units nobody minted). Refused when the account is already below it.
 */
export async function setCreditLine(
  db: Kysely<DB>,
  actor: Actor,
  code: string,
  accountId: string,
  creditLineText: string,
): Promise<CommunityLedgerOutcome<{ account: Account }>> {
  const currency = await issuedCurrency(db, code)
  if (!currency) return refuseCommunity('currency_not_found', `no community currency ${code}`)
  if (!issuerRules.speaksForIssuer(await managesGroup(db, actor.userId, currency.issuerGroupId))) {
    return refuseCommunity('forbidden', "only the issuing group's owners and managers set credit lines")
  }
  if (!issuerRules.givesCreditLines(currency.supply_cap)) {
    return refuseCommunity(
      'credit_line_with_cap',
      `${code} has a supply cap: its holders cannot go below zero`,
    )
  }
  const creditLine = parseNonNegative(creditLineText, currency.scale)
  if (creditLine === undefined) {
    return refuseCommunity('invalid_amount', `creditLine must have at most ${currency.scale} decimals`)
  }
  return db.transaction().execute(async (trx) => {
    const account = await trx
      .selectFrom('accounts')
      .selectAll()
      .where('id', '=', accountId)
      .where('currency', '=', code)
      .where('owner_type', '<>', 'system')
      .forUpdate()
      .executeTakeFirst()
    if (!account) return refuseCommunity('not_found', `no ${code} account ${accountId}`)
    const available =
      BigInt(account.credits_posted) - BigInt(account.debits_posted) - BigInt(account.debits_pending)
    if (available < -creditLine) {
      return refuseCommunity('limit_below_balance', 'the account is already below that credit line')
    }
    const updated = await trx
      .updateTable('accounts')
      .set({ lower_limit: (-creditLine).toString() })
      .where('id', '=', accountId)
      .returningAll()
      .executeTakeFirstOrThrow()
    return { ok: true as const, account: accountView(updated, currency.scale) }
  })
}

/**
 * Sets the caps on what one member's account may send in a currency, per transfer and per UTC day (the ledger
 * enforces them while it holds the account locked). The platform's own currency is an admin's; a community
 * currency is its issuing group's managers' (or an admin's). Caps bound future transfers only.
 */
export async function setTransferCaps(
  db: Kysely<DB>,
  actor: Actor,
  code: string,
  caps: TransferCaps,
): Promise<CommunityLedgerOutcome<{ currency: Currency }>> {
  const currency = await db
    .selectFrom('currencies')
    .select(['code', 'scale', 'issuer_group_id'])
    .where('code', '=', code)
    .executeTakeFirst()
  if (!currency) return refuseCommunity('currency_not_found', `no currency ${code}`)
  const allowed = issuerRules.setsCaps(
    actor,
    currency.issuer_group_id !== null && (await managesGroup(db, actor.userId, currency.issuer_group_id)),
  )
  if (!allowed) {
    return refuseCommunity(
      'forbidden',
      "only an admin, or a community currency's issuing managers, set its caps",
    )
  }
  const amount = (text: string | null) => (text === null ? null : parseNonNegative(text, currency.scale))
  const transferAmountMax = amount(caps.transferAmountMax)
  const dailyAmountMax = amount(caps.dailyAmountMax)
  if (
    transferAmountMax === undefined ||
    dailyAmountMax === undefined ||
    transferAmountMax === 0n ||
    dailyAmountMax === 0n
  ) {
    return refuseCommunity(
      'invalid_amount',
      `caps must be positive amounts with at most ${currency.scale} decimals, or null`,
    )
  }
  await db
    .updateTable('currencies')
    .set({
      transfer_amount_max: transferAmountMax === null ? null : transferAmountMax.toString(),
      daily_amount_max: dailyAmountMax === null ? null : dailyAmountMax.toString(),
      daily_transfers_max: caps.dailyTransfersMax,
    })
    .where('code', '=', code)
    .execute()
  return { ok: true, currency: (await getCurrency(db, code))! }
}

async function transferResult(
  ledger: Ledger,
  transfer: Parameters<typeof transferView>[0],
  replayed: boolean,
  scale: number,
): Promise<CommunityTransferResult> {
  const states = await transferStates(ledger.db, [transfer])
  return { ok: true, replayed, transfer: transferView(transfer, states.get(transfer.id)!, scale) }
}
