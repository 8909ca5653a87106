import { randomUUID } from 'node:crypto'
import type { Database } from '@quartiere/db'
import {
  type Actor,
  createCampaign,
  createLedger,
  createTransfer,
  depositCampaign,
  type Ledger,
  mintCurrency,
  pledge,
  settleDueCampaigns,
  stopCampaign,
  withdrawPledge,
} from '@quartiere/ledger'
import fc from 'fast-check'
import { sql } from 'kysely'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { ledgerViolations } from '../support/ledger'
import { openTestDatabase } from '../support/test-database'
import { insertGroup, insertMembers, insertProject, issue, supplyOf } from './support'

/**
 * Community currencies and piggy banks against an in-memory model of their rules: fast-check writes sequences of
 * mints (past the cap too), payments, campaigns (deposited or not), pledges (by the owner too), withdrawals,
 * deadlines passing, stops and settlement sweeps, runs them through the services on a real database, and after
 * every step compares each outcome and every member's balances with the model, runs the ledger's audit and
 * checks the supply against the cap. At the end every campaign is brought to its end: each pledge must be posted
 * once or voided once, and the payouts are what the ratio promised. A failure prints the seed and the steps.
 *
 * Amounts: the coin has scale 2 and a cap of 200.00; pledges are in whole steps of 2.00 coins, each giving back
 * `give` coupons (scale 0). Time passes without sleeping: a campaign's window is moved into the past in SQL.
 */

const seed = 20_261_125
const numRuns = 20
const coinCap = 20_000n
const acceptStep = 200n

type Step =
  | { op: 'mint'; to: number; coins: number }
  | { op: 'pay'; from: number; to: number; coins: number }
  | { op: 'open'; capSteps: number; goalSteps: number; give: number; deposit: boolean }
  | { op: 'pledge'; backer: number; campaign: number; steps: number }
  | { op: 'withdraw'; pledge: number }
  | { op: 'end'; campaign: number }
  | { op: 'stop'; campaign: number }
  | { op: 'sweep' }

/** Backers 0–3; index 4 is the campaigns' owner (who may not back them). */
const people = 5
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('mint' as const),
      to: fc.nat(people - 1),
      coins: fc.integer({ min: 1, max: 80 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('pay' as const),
      from: fc.nat(people - 1),
      to: fc.nat(people - 1),
      coins: fc.integer({ min: 1, max: 30 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc
      .record({
        capSteps: fc.integer({ min: 1, max: 12 }),
        goalFraction: fc.double({ min: 0, max: 1, noNaN: true }),
        give: fc.integer({ min: 1, max: 3 }),
        deposit: fc.integer({ min: 0, max: 3 }).map((n) => n > 0),
      })
      .map(({ capSteps, goalFraction, give, deposit }) => ({
        op: 'open' as const,
        capSteps,
        goalSteps: Math.max(1, Math.ceil(capSteps * goalFraction)),
        give,
        deposit,
      })),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      op: fc.constant('pledge' as const),
      backer: fc.nat(people - 1),
      campaign: fc.nat(5),
      steps: fc.integer({ min: 1, max: 6 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('withdraw' as const), pledge: fc.nat(20) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('end' as const), campaign: fc.nat(5) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('stop' as const), campaign: fc.nat(5) }) },
  { weight: 1, arbitrary: fc.constant({ op: 'sweep' as const }) },
)

interface ModelPledge {
  id: string
  backer: number
  amount: bigint
  state: 'pending' | 'posted' | 'voided'
}
interface ModelCampaign {
  id: string
  cap: bigint
  goal: bigint
  give: bigint
  deposited: boolean
  ended: boolean
  state: 'locked' | 'open' | 'funded' | 'stopped' | 'failed'
  pledges: ModelPledge[]
}

class Model {
  coins = Array<bigint>(people).fill(0n)
  heldCoins = Array<bigint>(people).fill(0n)
  coupons = Array<bigint>(people).fill(0n)
  /** Who has a coin account: opened by a first mint, payment or pledge, and for the owner by a campaign. */
  hasCoinAccount = Array<boolean>(people).fill(false)
  supply = 0n
  campaigns: ModelCampaign[] = []

  raised(c: ModelCampaign) {
    return c.pledges.filter((p) => p.state !== 'voided').reduce((s, p) => s + p.amount, 0n)
  }

  settle(c: ModelCampaign, how: 'funded' | 'stopped' | 'failed') {
    const owner = people - 1
    if (how === 'funded') {
      let paid = 0n
      for (const p of c.pledges.filter((x) => x.state === 'pending')) {
        p.state = 'posted'
        this.heldCoins[p.backer]! -= p.amount
        this.coins[p.backer]! -= p.amount
        this.coins[owner]! += p.amount
        const share = (p.amount / acceptStep) * c.give
        this.coupons[p.backer]! += share
        paid += share
      }
      this.coupons[owner]! += (c.cap / acceptStep) * c.give - paid
    } else {
      for (const p of c.pledges.filter((x) => x.state === 'pending')) {
        p.state = 'voided'
        this.heldCoins[p.backer]! -= p.amount
      }
      if (c.deposited) this.coupons[owner]! += (c.cap / acceptStep) * c.give
    }
    c.state = how
  }

  settleDue(c: ModelCampaign) {
    this.settle(c, c.state === 'open' && this.raised(c) >= c.goal ? 'funded' : 'failed')
  }
}

let database: Database
let ledger: Ledger
let issuer: Actor
let groupId: string
let projectId: string
let run = 0
/** What the runs exercised, printed at the end so a reader can see the property is not vacuous. */
const tally = new Map<string, number>()

beforeAll(async () => {
  database = await openTestDatabase()
  ledger = createLedger(database.db)
  issuer = (await insertMembers(database, 1, 'issuer'))[0]!
  groupId = await insertGroup(database, issuer!)
})
afterAll(async () => {
  await ledger?.batcher.drain()
  await database?.close()
})

async function balances(members: Actor[], code: string) {
  const rows = await database.db
    .selectFrom('accounts')
    .select(['owner_user_id', 'credits_posted', 'debits_posted', 'debits_pending'])
    .where('currency', '=', code)
    .where(
      'owner_user_id',
      'in',
      members.map((m) => m.userId),
    )
    .execute()
  return members.map((m) => {
    const row = rows.find((r) => r.owner_user_id === m.userId)
    const balance = row ? BigInt(row.credits_posted) - BigInt(row.debits_posted) : 0n
    return { balance, held: row ? BigInt(row.debits_pending) : 0n }
  })
}

async function runSequence(steps: Step[], trace: string[]) {
  run += 1
  const coin = `PC${run}`
  const coupon = `PK${run}`
  const members = await insertMembers(database, people, `run${run}-`)
  const owner = members[people - 1]!
  await issue(database, issuer, groupId, { code: coin, kind: 'coin', supplyCap: '200.00' })
  await issue(database, issuer, groupId, { code: coupon, kind: 'coupon' })
  projectId ??= await insertProject(database, issuer)
  const model = new Model()
  const ownerCoupons = 100_000n
  const seeded = await mintCurrency(ledger, issuer, coupon, {
    id: randomUUID(),
    to: { userId: owner.userId },
    amount: String(ownerCoupons),
    memo: 'seed',
  })
  expect(seeded.ok).toBe(true)
  model.coupons[people - 1] = ownerCoupons
  // Every backer starts with 30.00 coins: 120.00 of the cap of 200.00 is minted before the steps.
  for (let i = 0; i < people - 1; i++) {
    const minted = await mintCurrency(ledger, issuer, coin, {
      id: randomUUID(),
      to: { userId: members[i]!.userId },
      amount: '30.00',
      memo: 'seed',
    })
    expect(minted.ok).toBe(true)
    model.coins[i] = 3000n
    model.supply += 3000n
    model.hasCoinAccount[i] = true
  }
  const allPledges: { campaign: ModelCampaign; pledge: ModelPledge }[] = []

  const endCampaign = async (c: ModelCampaign) => {
    await sql`UPDATE campaigns SET starts_at = now() - interval '2 days', ends_at = now() - interval '1 second'
      WHERE id = ${c.id}::uuid`.execute(database.db)
    c.ended = true
  }
  const isSettled = (c: ModelCampaign) =>
    c.state === 'funded' || c.state === 'stopped' || c.state === 'failed'

  for (const step of steps) {
    let observed: string
    let expected: string
    switch (step.op) {
      case 'mint': {
        const amount = BigInt(step.coins) * 100n
        const result = await mintCurrency(ledger, issuer, coin, {
          id: randomUUID(),
          to: { userId: members[step.to]!.userId },
          amount: `${step.coins}.00`,
          memo: 'm',
        })
        observed = result.ok ? 'ok' : result.code
        expected = model.supply + amount > coinCap ? 'supply_cap_reached' : 'ok'
        model.hasCoinAccount[step.to] = true
        if (expected === 'ok') {
          model.supply += amount
          model.coins[step.to]! += amount
        }
        break
      }
      case 'pay': {
        const amount = BigInt(step.coins) * 100n
        const result = await createTransfer(ledger, members[step.from]!, {
          id: randomUUID(),
          to: { userId: members[step.to]!.userId },
          amount: `${step.coins}.00`,
          currency: coin,
        })
        observed = result.ok ? 'ok' : result.code
        const available = model.coins[step.from]! - model.heldCoins[step.from]!
        expected = !model.hasCoinAccount[step.from]
          ? 'account_not_found'
          : step.from === step.to
            ? 'accounts_must_be_different'
            : available < amount
              ? 'exceeds_credit_limit'
              : 'ok'
        if (model.hasCoinAccount[step.from]) model.hasCoinAccount[step.to] = true
        if (expected === 'ok') {
          model.coins[step.from]! -= amount
          model.coins[step.to]! += amount
        }
        break
      }
      case 'open': {
        const id = randomUUID()
        const created = await database.db.transaction().execute((trx) =>
          createCampaign(trx, owner, {
            id,
            entityId: projectId,
            title: 'p',
            acceptCurrency: coin,
            giveCurrency: coupon,
            ratio: { accept: '2.00', give: String(step.give) },
            cap: `${step.capSteps * 2}.00`,
            goal: `${step.goalSteps * 2}.00`,
            endsAt: new Date(Date.now() + 24 * 3600_000).toISOString(),
          }),
        )
        expect(created.ok, JSON.stringify(created)).toBe(true)
        const c: ModelCampaign = {
          id,
          cap: BigInt(step.capSteps) * acceptStep,
          goal: BigInt(step.goalSteps) * acceptStep,
          give: BigInt(step.give),
          deposited: false,
          ended: false,
          state: 'locked',
          pledges: [],
        }
        model.campaigns.push(c)
        model.hasCoinAccount[people - 1] = true
        observed = 'ok'
        expected = 'ok'
        if (step.deposit) {
          const deposit = await ledger.db.transaction().execute((trx) => depositCampaign(trx, owner, id))
          observed = deposit.ok ? 'ok' : deposit.code
          c.deposited = true
          c.state = 'open'
          model.coupons[people - 1]! -= (c.cap / acceptStep) * c.give
        }
        break
      }
      case 'pledge': {
        const c = model.campaigns[step.campaign % Math.max(1, model.campaigns.length)]
        if (!c) continue
        const requested = BigInt(step.steps) * acceptStep
        const key = randomUUID()
        const result = await ledger.db
          .transaction()
          .execute((trx) =>
            pledge(trx, members[step.backer]!, c.id, { id: key, amount: `${step.steps * 2}.00` }),
          )
        observed = result.ok ? `ok ${result.pledge.amount}` : result.code
        if (c.state === 'locked' && !c.ended) expected = 'campaign_locked'
        else {
          if (!isSettled(c) && c.ended) model.settleDue(c)
          if (isSettled(c) || c.ended) expected = 'campaign_closed'
          else if (step.backer === people - 1) expected = 'own_campaign'
          else {
            const left = c.cap - model.raised(c)
            const amount = requested < left ? requested : left
            model.hasCoinAccount[step.backer] = true
            if (model.coins[step.backer]! - model.heldCoins[step.backer]! < amount)
              expected = 'exceeds_credit_limit'
            else {
              expected = `ok ${(amount / 100n).toString()}.${(amount % 100n).toString().padStart(2, '0')}`
              const p: ModelPledge = { id: key, backer: step.backer, amount, state: 'pending' }
              c.pledges.push(p)
              allPledges.push({ campaign: c, pledge: p })
              model.heldCoins[step.backer]! += amount
              if (model.raised(c) === c.cap) model.settle(c, 'funded')
            }
          }
        }
        break
      }
      case 'withdraw': {
        const entry = allPledges[step.pledge % Math.max(1, allPledges.length)]
        if (!entry) continue
        const { campaign: c, pledge: p } = entry
        const result = await ledger.db
          .transaction()
          .execute((trx) => withdrawPledge(trx, members[p.backer]!, c.id, p.id))
        observed = result.ok ? 'ok' : result.code
        if (!isSettled(c) && c.ended) model.settleDue(c)
        if (isSettled(c) || c.ended) expected = 'campaign_closed'
        // Withdrawing again is a retry of the same withdrawal: its id is derived from the pledge, so it replays.
        else if (p.state === 'voided') expected = 'ok'
        else {
          expected = 'ok'
          p.state = 'voided'
          model.heldCoins[p.backer]! -= p.amount
        }
        break
      }
      case 'end': {
        const c = model.campaigns[step.campaign % Math.max(1, model.campaigns.length)]
        if (!c) continue
        if (!c.ended) await endCampaign(c)
        observed = expected = 'ok'
        break
      }
      case 'stop': {
        const c = model.campaigns[step.campaign % Math.max(1, model.campaigns.length)]
        if (!c) continue
        const result = await ledger.db.transaction().execute((trx) => stopCampaign(trx, owner, c.id))
        observed = result.ok ? 'ok' : result.code
        if (!isSettled(c) && c.ended) model.settleDue(c)
        if (isSettled(c) || c.ended) expected = 'campaign_closed'
        else {
          expected = 'ok'
          model.settle(c, 'stopped')
        }
        break
      }
      case 'sweep': {
        await settleDueCampaigns(ledger)
        for (const c of model.campaigns) if (c.ended && !isSettled(c)) model.settleDue(c)
        observed = expected = 'ok'
        break
      }
    }
    trace.push(`${JSON.stringify(step)} → ${observed}`)
    tally.set(
      `${step.op} ${observed.split(' ')[0]}`,
      (tally.get(`${step.op} ${observed.split(' ')[0]}`) ?? 0) + 1,
    )
    expect(observed, `step ${trace.length}: ${JSON.stringify(step)}`).toBe(expected)
    const coins = await balances(members, coin)
    const coupons = await balances(members, coupon)
    expect(
      coins.map((b) => b.balance),
      'coin balances',
    ).toEqual(model.coins)
    expect(
      coins.map((b) => b.held),
      'coins held by pledges',
    ).toEqual(model.heldCoins)
    expect(
      coupons.map((b) => b.balance),
      'coupon balances',
    ).toEqual(model.coupons)
    expect(await supplyOf(database, coin)).toBeLessThanOrEqual(coinCap)
    expect(await ledgerViolations(database)).toEqual([])
  }

  // Every campaign comes to its end; each pledge is then posted once or voided once.
  for (const c of model.campaigns) if (!c.ended && !isSettled(c)) await endCampaign(c)
  await settleDueCampaigns(ledger)
  for (const c of model.campaigns) if (!isSettled(c)) model.settleDue(c)
  const rows = await sql<{ id: string; resolutions: string; posted: string }>`
    SELECT p.id, count(r.id) AS resolutions, count(r.id) FILTER (WHERE r.type = 'post_pending') AS posted
    FROM campaign_pledges p LEFT JOIN transfers r ON r.pending_id = p.id
    WHERE p.id = ANY(${allPledges.map((e) => e.pledge.id)}::uuid[]) GROUP BY p.id`.execute(database.db)
  for (const { pledge: p } of allPledges) {
    const row = rows.rows.find((r) => r.id === p.id)!
    expect(Number(row.resolutions), `pledge ${p.id} resolved once`).toBe(1)
    expect(Number(row.posted) === 1, `pledge ${p.id} posted as the model says`).toBe(p.state === 'posted')
  }
  expect(
    (await balances(members, coupon)).map((b) => b.balance),
    'final coupons',
  ).toEqual(model.coupons)
  expect(await ledgerViolations(database)).toEqual([])
}

it(`currencies and campaigns keep the model's books (fast-check, seed ${seed})`, async () => {
  let lastTrace: string[] = []
  const property = fc.asyncProperty(fc.array(stepArb, { minLength: 10, maxLength: 40 }), async (steps) => {
    lastTrace = []
    await runSequence(steps, lastTrace)
  })
  const result = await fc.check(property, { seed, numRuns, endOnFailure: true })
  console.info('currencies property outcomes:', JSON.stringify(Object.fromEntries([...tally].sort())))
  if (result.failed) {
    throw new Error(
      `property failed (seed ${seed}, path ${result.counterexamplePath}):\n${lastTrace.join('\n')}\n${fc.defaultReportMessage(result)}`,
    )
  }
  for (const outcome of [
    'pledge ok',
    'pledge campaign_closed',
    'pledge exceeds_credit_limit',
    'withdraw ok',
    'mint supply_cap_reached',
    'stop ok',
  ]) {
    expect(tally.get(outcome), `the runs never saw "${outcome}"`).toBeGreaterThan(0)
  }
}, 300_000)
