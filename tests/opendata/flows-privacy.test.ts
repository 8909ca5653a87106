import { loadConfig } from '@quartiere/api/config'
import type { AuthTokens, EntityFeature } from '@quartiere/contracts'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { point } from '../support/fixtures'
import { rewritePast } from '../support/past'
import { bearer, createTestApp, type TestApp } from '../support/test-app'
import { completeExchange, createEntity } from './support'

/**
 * The differencing attacks on the ledger statistics (issue #18, "Trust"): a researcher may send any number of
 * requests with any parameters and subtract their answers. A small world where, without the floors, one member's
 * single exchange could be isolated three ways: (a) two windows ending either side of it, (b) a coarse grid cell
 * minus the finer published cell inside it, (c) a k below the floor. Each attack is refused, or the difference of
 * the answers is computed here and holds no cell of fewer than five members.
 */

const floor = 5
const url = '/api/export/ledger-flows.csv'

interface WorldExchange {
  month: string
  lon: number
  lat: number
  members: [string, string]
}

interface Row {
  month: string
  kind: string
  category: string
  minLon: number
  minLat: number
  maxLon: number
  maxLat: number
  exchanges: number
  hours: string
  members: number
}

let t: TestApp
let researcher: AuthTokens
/** Every exchange of the world, as the test knows it: the ground truth the answers are checked against. */
const world: WorldExchange[] = []
let victimId: string
let loneVictimId: string

/** Cell C (0.01°: 7.68–7.69, 45.07–45.08) and its neighbour D (7.69–7.70), both in the 0.05° cell 7.65–7.70. */
const inC = [7.6855, 45.0755] as const
const inD = [7.6955, 45.0755] as const

async function exchange(
  offer: EntityFeature,
  provider: AuthTokens,
  receiver: AuthTokens,
  postedAt: Date | null,
) {
  const id = await completeExchange(t, offer, receiver)
  if (postedAt) {
    // The world's history happened in months long over: the exchange is posted then.
    const moved = await rewritePast(t.database.db, (trx) =>
      sql`
      UPDATE transfers SET created_at = ${postedAt}::timestamptz
      WHERE type = 'post_pending' AND pending_id = (SELECT hold_id FROM exchanges WHERE id = ${id}::uuid)`.execute(
        trx,
      ),
    )
    expect(Number(moved.numAffectedRows)).toBe(1)
    if (offer.geometry.type !== 'Point') throw new Error('the world places its offers at points')
    const [lon, lat] = offer.geometry.coordinates
    world.push({
      month: postedAt.toISOString().slice(0, 7),
      lon: lon as number,
      lat: lat as number,
      members: [provider.user.id, receiver.user.id],
    })
  }
}

function rowsOf(body: string): Row[] {
  const [header, ...lines] = body.trim().split('\n')
  expect(header).toBe(
    'month,kind,category,cellMinLon,cellMinLat,cellMaxLon,cellMaxLat,exchanges,hours,members',
  )
  return lines.map((line) => {
    const f = line.split(',')
    expect(f).toHaveLength(10)
    return {
      month: f[0]!,
      kind: f[1]!,
      category: f[2]!,
      minLon: Number(f[3]),
      minLat: Number(f[4]),
      maxLon: Number(f[5]),
      maxLat: Number(f[6]),
      exchanges: Number(f[7]),
      hours: f[8]!,
      members: Number(f[9]),
    }
  })
}

let addresses = 0
/**
 * The threat model grants the attacker any number of requests: each comes from an address of its own, past the
 * per-client limit on exports.
 */
function fromAnywhere(app: TestApp, path: string, tokens: AuthTokens) {
  addresses += 1
  const remoteAddress = `10.18.${addresses >> 8}.${addresses & 255}`
  return app.request({ method: 'GET', url: path, headers: bearer(tokens), remoteAddress })
}

async function flows(query: string): Promise<Row[]> {
  const response = await fromAnywhere(t, `${url}?${query}`, researcher)
  expect(response.statusCode, response.body).toBe(200)
  return rowsOf(response.body)
}

async function refused(query: string, parameter: string): Promise<string> {
  const response = await fromAnywhere(t, `${url}?${query}`, researcher)
  expect(response.statusCode, response.body).toBe(400)
  expect(String(response.headers['content-type'])).toContain('application/problem+json')
  const problem = response.json() as { code: string; detail: string; errors?: { path: string }[] }
  expect(problem.code).toBe('invalid_query')
  expect(problem.errors?.[0]?.path).toBe(`/${parameter}`)
  return problem.detail
}

const keyOf = (r: Row) => [r.month, r.kind, r.category, r.minLon, r.minLat, r.maxLon, r.maxLat].join('|')
const within = (inner: Row, outer: Row) =>
  inner.month === outer.month &&
  inner.kind === outer.kind &&
  inner.category === outer.category &&
  inner.minLon >= outer.minLon - 1e-9 &&
  inner.maxLon <= outer.maxLon + 1e-9 &&
  inner.minLat >= outer.minLat - 1e-9 &&
  inner.maxLat <= outer.maxLat + 1e-9
const contains = (r: Row, e: WorldExchange) =>
  e.month === r.month && e.lon >= r.minLon && e.lon < r.maxLon && e.lat >= r.minLat && e.lat < r.maxLat

/**
 * What an attacker holding all these answers can single out. The answers' cells nest, so the finest figures they
 * can compute are each cell's figures minus those of the largest published cells strictly inside it. For each
 * such difference that is not empty, returns the exchanges it holds, from the answers' arithmetic, and the
 * distinct members behind them, from the world.
 */
function differences(answers: Row[][]): { exchanges: number; members: number; cell: string }[] {
  const cells = new Map<string, Row>()
  for (const row of answers.flat()) {
    const seen = cells.get(keyOf(row))
    // The same cell must read the same in every answer that publishes it, or two answers differ inside it.
    if (seen) expect(row).toEqual(seen)
    cells.set(keyOf(row), row)
  }
  const all = [...cells.values()]
  const found: { exchanges: number; members: number; cell: string }[] = []
  for (const outer of all) {
    const inner = all.filter((r) => r !== outer && within(r, outer))
    const largest = inner.filter((r) => !inner.some((o) => o !== r && within(r, o)))
    const exchanges = outer.exchanges - largest.reduce((sum, r) => sum + r.exchanges, 0)
    if (exchanges === 0) continue
    const left = world.filter((e) => contains(outer, e) && !largest.some((r) => contains(r, e)))
    expect(left).toHaveLength(exchanges)
    found.push({ exchanges, members: new Set(left.flatMap((e) => e.members)).size, cell: keyOf(outer) })
  }
  return found
}

/** Each thing the answers single out holds at least the floor of exchanges and members (and there are some). */
function expectNoneBelowFloor(found: { exchanges: number; members: number; cell: string }[]) {
  expect(found.length).toBeGreaterThan(0)
  for (const d of found) {
    expect(d.exchanges, d.cell).toBeGreaterThanOrEqual(floor)
    expect(d.members, d.cell).toBeGreaterThanOrEqual(floor)
  }
}

beforeAll(async () => {
  t = await createTestApp()
  researcher = await t.signUp({ as: 'researcher' })
  const provider = await t.signUp()
  const other = await t.signUp()
  const busy = await createEntity(t, provider, {
    kind: 'offer',
    title: 'Riparazioni di biciclette',
    geometry: point(...inC),
    properties: { hours: '1.00', skillCategory: 'repairs' },
  })
  const lone = await createEntity(t, other, {
    kind: 'offer',
    title: 'Riparazione di una radio',
    geometry: point(...inD),
    properties: { hours: '1.00', skillCategory: 'repairs' },
  })
  const regulars: AuthTokens[] = []
  for (let i = 0; i < 6; i++) regulars.push(await t.signUp())
  // January 2025: six regulars in cell C.
  for (const [i, r] of regulars.entries())
    await exchange(busy, provider, r, new Date(Date.UTC(2025, 0, 3 + i)))
  // February 2025: five regulars in C, then the victim's one exchange there on the 15th, and a second victim's one
  // exchange in the neighbouring cell D.
  for (const [i, r] of regulars.slice(0, 5).entries())
    await exchange(busy, provider, r, new Date(Date.UTC(2025, 1, 3 + i)))
  const victim = await t.signUp()
  victimId = victim.user.id
  await exchange(busy, provider, victim, new Date(Date.UTC(2025, 1, 15, 12)))
  const loneVictim = await t.signUp()
  loneVictimId = loneVictim.user.id
  await exchange(lone, other, loneVictim, new Date(Date.UTC(2025, 1, 20)))
  // This month, still running: six exchanges in C that must not show until the month is over.
  for (const r of regulars) await exchange(busy, provider, r, null)
}, 120_000)

afterAll(async () => {
  await t?.close()
})

describe('the ledger statistics against differencing', () => {
  it('(a) counts whole calendar months only: windows that end either side of one exchange are refused', async () => {
    for (const query of [
      'to=2025-02-15T00:00:00Z',
      'to=2025-02-15',
      'from=2025-02-01T00:00:00Z&to=2025-02-28',
    ])
      expect(await refused(query, query.startsWith('from') ? 'from' : 'to')).toMatch(/calendar month/)
    const janFeb = await flows('from=2025-01&to=2025-02')
    const jan = await flows('from=2025-01&to=2025-01')
    const feb = await flows('from=2025-02&to=2025-02')
    expect(jan.map((r) => [r.month, r.exchanges, r.members])).toEqual([['2025-01', 6, 7]])
    // Overlapping windows differ by whole months: every row of one is a row of the other, or a month of its own.
    const janKeys = new Set(jan.map(keyOf))
    const onlyInJanFeb = janFeb.filter((r) => !janKeys.has(keyOf(r)))
    expect(onlyInJanFeb).toEqual(feb)
    expect(onlyInJanFeb.length).toBeGreaterThan(0)
    for (const row of onlyInJanFeb) {
      expect(row.members).toBeGreaterThanOrEqual(floor)
      expect(row.exchanges).toBeGreaterThanOrEqual(floor)
    }
    // The victim is in February's cell C among six others.
    expect(feb.map((r) => [r.month, r.exchanges, r.members])).toEqual([['2025-02', 6, 7]])
    expect(world.filter((e) => e.members.includes(victimId))).toHaveLength(1)
    expectNoneBelowFloor(differences([janFeb, jan, feb]))
  })

  it('(a) publishes a month only once it is over', async () => {
    const everything = await fromAnywhere(t, url, researcher)
    expect(everything.statusCode).toBe(200)
    const current = new Date().toISOString().slice(0, 7)
    const months = rowsOf(everything.body).map((r) => r.month)
    expect(months).toEqual(['2025-01', '2025-02'])
    expect(months).not.toContain(current)
    // Asking for the running month explicitly does not bring it either.
    expect(await flows(`from=${current}&to=${current}`)).toEqual([])
    expect(JSON.parse(String(everything.headers['x-export-filters']))).toMatchObject({
      before: `${current}-01T00:00:00.000Z`,
      k: floor,
      floor,
    })
  })

  it('(b) nested grids: a coarse cell that would give away the cell its finer cells suppress is suppressed', async () => {
    const fine = await flows('cell=0.01')
    const coarse = await flows('cell=0.05')
    const coarser = await flows('cell=0.1')
    // February in C is published on the fine grid; the lone exchange in D is not.
    expect(fine.filter((r) => r.month === '2025-02').map((r) => [r.minLon, r.exchanges])).toEqual([[7.68, 6]])
    // January's 0.05° cell holds C only and is published; February's would be C plus the lone exchange in D.
    expect(coarse.map((r) => [r.month, r.minLon, r.maxLon, r.exchanges])).toEqual([['2025-01', 7.65, 7.7, 6]])
    expect(coarser.map((r) => [r.month, r.exchanges])).toEqual([['2025-01', 6]])
    expectNoneBelowFloor(differences([fine, coarse, coarser]))
    expect(world.filter((e) => e.members.includes(loneVictimId))).toHaveLength(1)
  })

  it('(b) grids are aligned and of fixed sizes: shifted or odd sizes are refused', async () => {
    for (const cell of ['0.001', '0.005', '0.015', '0.02', '0.03', '0.07'])
      expect(await refused(`cell=${cell}`, 'cell')).toMatch(
        /not one of the grid sizes 0\.01, 0\.05, 0\.1, 0\.5, 1/,
      )
    expect(await flows('cell=0.5')).toHaveLength(1)
    expect(await flows('cell=1')).toHaveLength(1)
  })

  it('(c) k below the floor is refused; a larger k only hides cells, and no mix of answers isolates anyone', async () => {
    for (const k of [1, 2, 4]) expect(await refused(`k=${k}`, 'k')).toMatch(/below this server's floor/)
    const answers: Row[][] = []
    for (const cell of ['0.01', '0.05', '0.1', '0.5'])
      for (const k of [5, 6, 7, 8]) {
        const response = await fromAnywhere(t, `${url}?cell=${cell}&k=${k}`, researcher)
        expect(response.statusCode, response.body).toBe(200)
        expect(response.headers['x-k-anonymity']).toBe(String(k))
        const rows = rowsOf(response.body)
        // k = 5 and 6 publish January's and February's cells; 7 and 8 hide them all.
        expect(rows.length > 0).toBe(k <= 6)
        for (const row of rows) {
          expect(row.members).toBeGreaterThanOrEqual(k)
          expect(row.exchanges).toBeGreaterThanOrEqual(k)
        }
        answers.push(rows)
      }
    expectNoneBelowFloor(differences(answers))
  })

  it('(c) a deployment may raise the floor, never lower it', async () => {
    expect(loadConfig({}).researchKMin).toBe(floor)
    expect(loadConfig({ RESEARCH_K_MIN: '8' }).researchKMin).toBe(8)
    for (const lower of ['4', '2', '0'])
      expect(() => loadConfig({ RESEARCH_K_MIN: lower })).toThrow(/not lower it/)
    const strict = await createTestApp({ RESEARCH_K_MIN: '7' })
    try {
      const admin = await strict.signUp({ as: 'admin' })
      const lowered = await fromAnywhere(strict, `${url}?k=5`, admin)
      expect(lowered.statusCode, lowered.body).toBe(400)
      expect((lowered.json() as { detail: string }).detail).toMatch(/floor.*at least 7 distinct members/)
      const byDefault = await fromAnywhere(strict, url, admin)
      expect(byDefault.statusCode, byDefault.body).toBe(200)
      expect(byDefault.headers['x-k-anonymity']).toBe('7')
    } finally {
      await strict.close()
    }
  })
})
