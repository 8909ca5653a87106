import type { Database } from '@quartiere/db'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { type ApiCluster, startApiCluster } from './support/api-cluster'
import type { ApiProcess } from './support/api-process'
import {
  brokePaymentsPassing,
  createCommunity,
  expectBooksMatchJournal,
  runClients,
} from './support/ledger-load'
import { Journal } from './support/load-client'

/**
 * Two API processes on one PostgreSQL database, driven over real HTTP by 32 concurrent clients: payments
 * between members, payments into one hot group account, opposing payments (A pays B while B pays A, through
 * different instances), holds posted or voided (sometimes posted and voided at the same moment), members
 * paying past their credit line, answers lost on purpose and retried with the same key. Afterwards the books
 * must match what the clients heard, to the minor unit.
 */

const seed = 20_260_417
const clients = 32
const stepsPerClient = 40
const members = 40
const brokeMembers = 4
const brokeAttempts = 16

let database: Database | undefined
let cluster: ApiCluster | undefined
const instances: ApiProcess[] = []

beforeAll(async () => {
  cluster = await startApiCluster({ count: 2, tempPrefix: 'quartiere-ledger-concurrency-' })
  database = cluster.database
  instances.push(...cluster.instances)
})

afterAll(async () => {
  await cluster?.stop()
})

it(`keeps the books exact with ${clients} clients on two instances (seed ${seed})`, async () => {
  const [one, two] = instances as [ApiProcess, ApiProcess]
  const urls = [one.url, two.url]
  const journal = new Journal({
    urlFor: (preferred) => urls[preferred % urls.length]!,
    afterNetworkFailure: () => new Promise((r) => setTimeout(r, 5)),
  })
  const community = await createCommunity({
    database: database!,
    journal,
    urls,
    members,
    broke: brokeMembers,
    issueCents: 3000n,
  })
  const races = await runClients({
    journal,
    community,
    clients,
    stepsPerClient,
    brokeAttempts,
    chaos: { replayProbability: 0.15, abortProbability: 0.05 },
    seed,
  })

  const report = await expectBooksMatchJournal({
    database: database!,
    journal,
    community,
    url: two.url,
    brokeAttempts,
    races,
  })
  console.info(`ledger concurrency (seed ${seed}):`, JSON.stringify(report))
  // The load did exercise what it claims to: refusals at the credit line, replays, and lost answers.
  expect(report.refusedByCode.exceeds_credit_limit).toBeGreaterThanOrEqual(
    brokeMembers * (brokeAttempts - brokePaymentsPassing),
  )
  expect(report.immediateReplays).toBeGreaterThan(0)
  expect(
    report.networkFailures,
    'no answer was lost in transit: the retry path went untested',
  ).toBeGreaterThan(0)
  expect(report.races).toBeGreaterThan(0)
}, 120_000)
