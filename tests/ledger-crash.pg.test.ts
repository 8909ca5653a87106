import type { Database } from '@quartiere/db'
import { sql } from 'kysely'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { type ApiProcess, generateJwtPrivateKey, makeTempDir, startApiProcess } from './support/api-process'
import { databaseUrlFor } from './support/backend'
import {
  brokePaymentsPassing,
  createCommunity,
  expectBooksMatchJournal,
  finalAnswers,
  runClients,
} from './support/ledger-load'
import { Journal } from './support/load-client'
import { openTestDatabase } from './support/test-database'

/**
 * The API process is killed with SIGKILL in the middle of a concurrent load: no graceful close, transfers in
 * every state of their way (queued in the batcher, in an open database transaction, committed but not yet
 * answered). Clients keep what was not answered and, once the API is back on the same database, retry it with
 * the same keys. Whatever the crash interrupted, every transfer ends up done exactly once or refused, and the
 * books match what the clients heard.
 */

const seed = 20_260_418
const clients = 32
const stepsPerClient = 40
const members = 40
const brokeMembers = 4
const brokeAttempts = 16
/** Transfers acknowledged during the load before the kill: about a third of the way through. */
const killAfterAcknowledged = 400

let database: Database | undefined
let dataDir: { path: string; remove(): Promise<void> } | undefined
let databaseUrl = ''
let jwtPrivateKey = ''
const processes: ApiProcess[] = []

interface Crash {
  /** Keys whose request was on its way, or its answer, when the process died. */
  inFlightKeys: string[]
  acknowledgedBefore: number
  exit?: Awaited<ApiProcess['exited']>
}

const start = async () => {
  const api = await startApiProcess({ databaseUrl, jwtPrivateKey, dataDir: dataDir!.path })
  processes.push(api)
  return api
}

beforeAll(async () => {
  database = await openTestDatabase()
  const { name } = (await sql<{ name: string }>`SELECT current_database() AS name`.execute(database.db))
    .rows[0]!
  databaseUrl = databaseUrlFor(name)
  jwtPrivateKey = await generateJwtPrivateKey()
  dataDir = await makeTempDir('quartiere-ledger-crash-')
})

afterAll(async () => {
  await Promise.all(processes.map((api) => api.stop()))
  await database?.close()
  await dataDir?.remove()
})

it(`loses nothing and counts nothing twice when the API is killed under load (seed ${seed})`, async () => {
  let api = await start()
  // While the API is down, a client that lost an answer waits here, then retries with the same key.
  let restarted: Promise<void> = Promise.resolve()
  // Set by the answer callback; TypeScript cannot see that, hence the cast instead of narrowing to undefined.
  let crash = undefined as Crash | undefined
  const journal = new Journal({ urlFor: () => api.url, afterNetworkFailure: () => restarted })
  const community = await createCommunity({
    database: database!,
    journal,
    urls: [api.url],
    members,
    broke: brokeMembers,
    issueCents: 3000n,
  })

  const killAt = journal.stats.acknowledged + killAfterAcknowledged
  journal.onAnswer = () => {
    if (crash || journal.stats.acknowledged < killAt) return
    const dead = api
    const state: Crash = {
      inFlightKeys: [...journal.inFlight.keys()],
      acknowledgedBefore: journal.stats.acknowledged,
    }
    crash = state
    dead.kill('SIGKILL')
    restarted = (async () => {
      state.exit = await dead.exited
      api = await start()
    })()
    restarted.catch(() => {})
  }

  const races = await runClients({
    journal,
    community,
    clients,
    stepsPerClient,
    brokeAttempts,
    chaos: { replayProbability: 0.1, abortProbability: 0 },
    seed,
  })
  await restarted

  // The kill did happen, to a process that did not close gracefully, while requests were in flight.
  expect(crash, 'the API was never killed: the load was too small').toBeDefined()
  expect(crash!.exit).toEqual({ code: null, signal: 'SIGKILL' })
  expect(
    crash!.inFlightKeys.length,
    'nothing was in flight at the kill: the test proves nothing',
  ).toBeGreaterThan(0)
  const lost = journal.entries.filter((e) => e.networkFailures > 0)
  expect(lost.length, 'no request lost its answer to the crash').toBeGreaterThan(0)
  expect(
    journal.stats.acknowledged - crash!.acknowledgedBefore,
    'the load did not go on after the restart',
  ).toBeGreaterThan(0)

  const report = await expectBooksMatchJournal({
    database: database!,
    journal,
    community,
    url: api.url,
    brokeAttempts,
    races,
  })
  console.info(
    `ledger crash (seed ${seed}):`,
    JSON.stringify({
      ...report,
      acknowledgedBeforeKill: crash!.acknowledgedBefore,
      inFlightAtKill: crash!.inFlightKeys.length,
      // 200: done before the crash, only the answer was lost; 201: not done (or rolled back), done on retry.
      inFlightAtKillFinally: finalAnswers(journal, crash!.inFlightKeys),
      unacknowledgedRequests: lost.length,
    }),
  )
  expect(report.refusedByCode.exceeds_credit_limit).toBeGreaterThanOrEqual(
    brokeMembers * (brokeAttempts - brokePaymentsPassing),
  )
}, 120_000)
