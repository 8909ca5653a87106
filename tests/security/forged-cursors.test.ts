import { randomUUID } from 'node:crypto'
import { uuidPattern } from '@quartiere/db'
import fc from 'fast-check'
import type { LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearer } from '../support/test-app'
import { type RouteEntry, routeTable } from './route-table'
import { buildWorld, databaseFingerprint, type Role, roles, type World } from './world'

/**
 * Forged cursors sent to every listing that takes one. A cursor travels to the client and comes back as query
 * text, so anything can come back: each listing must answer 400 problem+json `invalid_cursor` (or, for text
 * its schema refuses before, another 400 problem), never a 5xx, and change nothing. The listings are found in
 * the OpenAPI document (every operation with a `cursor` query parameter), so a new listing is covered the day
 * it is added, and the test fails if the route table cannot say how to call it.
 *
 * Deterministic: CURSOR_SEED (default below) chooses the run; a failure prints the seed and the shrunk cursor.
 */
const seed = Number(process.env.CURSOR_SEED ?? 20_261_207)
const forgedRunsPerListing = Number(process.env.CURSOR_RUNS_PER_LISTING ?? 100)
/** Pages walked per listing to collect real cursors (one row a page). */
const pageWalkMax = 40
/** How many listings take a cursor today: the derivation from the OpenAPI document must find at least these. */
const cursorListingsMin = 16

let w: World

interface Listing {
  url: string
  /** The request that reads the listing's first page, with its headers (the caller's token among them). */
  path: string
  headers: Record<string, string>
  /** The longest cursor the route's schema lets through to the listing. */
  cursorLengthMax: number
  /** Cursors the listing gave out, walking its pages one row at a time. */
  real: string[]
}

let listings: Listing[] = []
let cursorOperations: string[] = []
let walkFailures: string[] = []

/** The role a listing is read as: the member who owns the world's data when allowed, else the first allowed. */
function readerOf(entry: RouteEntry): Role | undefined {
  if (entry.expect.member === 'ok') return 'member'
  return roles.find((role) => entry.expect[role] === 'ok')
}

function withQuery(path: string, params: Record<string, string>): string {
  const url = new URL(path, 'http://localhost')
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value)
  return `${url.pathname}${url.search}`
}

/** The cursor of the next page, from a list's `nextCursor` or a FeatureCollection's `next` link. */
function nextCursorOf(response: LightMyRequestResponse): string | null {
  const body = response.json() as { nextCursor?: string | null; links?: { rel: string; href: string }[] }
  if (typeof body.nextCursor === 'string') return body.nextCursor
  const next = body.links?.find((link) => link.rel === 'next')
  return next ? new URL(next.href, 'http://localhost').searchParams.get('cursor') : null
}

beforeAll(async () => {
  w = await buildWorld()
  // A second row in the listings the world fills with one, so that each of them hands out a real cursor.
  await w.fresh.exchange()
  await w.ok('peer', 'POST', `/api/campaigns/${w.ids.campaign}/pledges`, { amount: '1.00' }, w.key())
  await w.fresh.comment()
  await w.fresh.joinRequest()
  await w.fresh.joinRequest()
  await w.fresh.report()
  await w.fresh.hiddenEntity()
  await w.fresh.hiddenEntity()
  await w.fresh.entity()
  // Display names as long as they may be, in characters that take three bytes: the longest cursors there are.
  await w.t.signUp({ displayName: `Mara ${'あ'.repeat(95)}` })
  await w.t.signUp({ displayName: `Mara ${'い'.repeat(95)}` })

  const document = (await w.t.request({ method: 'GET', url: '/openapi.json' })).json() as {
    paths: Record<
      string,
      Record<string, { parameters?: { in: string; name: string; schema?: { maxLength?: number } }[] }>
    >
  }
  listings = []
  cursorOperations = []
  for (const [openApiPath, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const cursor = operation.parameters?.find((p) => p.in === 'query' && p.name === 'cursor')
      if (!cursor) continue
      const url = openApiPath.replace(/\{(\w+)\}/g, ':$1')
      cursorOperations.push(`${method.toUpperCase()} ${url}`)
      const entry = routeTable.find((e) => e.method === method.toUpperCase() && e.url === url)
      const reader = entry && readerOf(entry)
      if (!entry || !reader) continue
      const attempt = await entry.request(w, reader)
      const tokens = w.tokensOf(reader)
      listings.push({
        url: `${method.toUpperCase()} ${url}`,
        path: attempt.url,
        headers: { ...(tokens ? bearer(tokens) : {}), ...attempt.headers },
        cursorLengthMax: cursor.schema?.maxLength ?? Number.POSITIVE_INFINITY,
        real: [],
      })
    }
  }
  // Each listing walked one row a page, collecting the cursors it gives out; a page that is not a 200 is noted.
  walkFailures = []
  for (const listing of listings) {
    let cursor: string | null = null
    for (let page = 0; page < pageWalkMax; page += 1) {
      const response = await w.t.request({
        method: 'GET',
        url: withQuery(listing.path, { limit: '1', ...(cursor ? { cursor } : {}) }),
        headers: listing.headers,
      })
      if (response.statusCode !== 200) {
        walkFailures.push(
          `${listing.url} page ${page}: ${response.statusCode} ${response.body.slice(0, 300)}`,
        )
        break
      }
      cursor = nextCursorOf(response)
      if (!cursor) break
      listing.real.push(cursor)
    }
  }
})

afterAll(async () => {
  await w?.close()
})

// ------------------------------------------------------------------------------------------ forged cursors

const b64 = (text: string | Uint8Array) => Buffer.from(text).toString('base64url')

/**
 * A currency list's cursor is the last currency code itself: text that looks like one is a real position,
 * not a forgery.
 */
const looksLikeCurrencyCode = (text: string) => /^[A-Z][A-Z0-9]{1,11}$/.test(text)

/** Stands for a number JSON cannot write but can read (it overflows to Infinity when parsed). */
const huge = '__huge_number__'
const wireOf = (value: unknown) => b64(JSON.stringify(value).replaceAll(`"${huge}"`, '1e400'))

type FieldKind = 'uuid' | 'timestamp' | 'seq' | 'text' | 'count' | 'boolean'

function kindOf(value: unknown): FieldKind {
  if (typeof value === 'number') return 'count'
  if (typeof value === 'boolean') return 'boolean'
  const text = String(value)
  if (uuidPattern.test(text)) return 'uuid'
  if (/^\d{4}-\d{2}-\d{2}T/.test(text)) return 'timestamp'
  if (/^\d+$/.test(text)) return 'seq'
  return 'text'
}

const notJson = fc.constantFrom<unknown>(null, true, false, [], {}, huge, 'x')

/** Values that no field of that kind may hold. */
const wrongValue: Record<FieldKind, fc.Arbitrary<unknown>> = {
  uuid: fc.oneof(
    fc.string().filter((s) => !uuidPattern.test(s)),
    fc.uuid().map((id) => id.replaceAll('-', '')),
    fc.uuid().map((id) => `${id}0`),
    fc.uuid().map((id) => `g${id.slice(1)}`),
    fc.integer(),
    notJson,
  ),
  timestamp: fc.oneof(
    fc.constantFrom(
      '2020-02-30T00:00:00.000000Z',
      '2021-02-29T12:00:00.000000Z',
      '2020-13-01T00:00:00.000000Z',
      '2020-01-01T24:00:00.000000Z',
      '2020-01-01T00:00:60.000000Z',
      '0000-01-01T00:00:00.000000Z',
      '2020-01-01',
      '2020-01-01T00:00:00Z',
      '2020-01-01T00:00:00.000000+01:00',
      '+275760-09-13T00:00:00.000000Z',
      'yesterday',
      'NaN',
    ),
    // The ISO text of a Date, to the millisecond: a real instant, but not the canonical form.
    fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
    fc.integer(),
    notJson,
  ),
  seq: fc.oneof(
    fc.constantFrom('0', '-1', '01', '1e3', '1.5', '9223372036854775808', '99999999999999999999', ''),
    fc.bigInt({ min: 9_223_372_036_854_775_808n, max: 10n ** 30n }).map(String),
    fc.integer(),
    notJson,
  ),
  text: fc.oneof(
    fc.constantFrom('a\u0000b', '\u0000', 'a\ud800b', '\udc00'),
    fc.integer(),
    notJson.filter((v) => v !== 'x'),
  ),
  count: fc.oneof(
    fc.constantFrom(-1, 1.5, 2 ** 53, Number.MAX_VALUE, -0.5, huge, '3', '0'),
    fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Number.isSafeInteger(x) || x < 0),
    notJson.filter((v) => v !== huge),
  ),
  boolean: fc.oneof(
    fc.constantFrom('true', 'false', 0, 1),
    notJson.filter((v) => typeof v !== 'boolean'),
  ),
}

/** One of the listing's real cursors made wrong: a field dropped, added, or given a value of the wrong kind. */
function brokenRealCursor(real: Record<string, unknown>[]): fc.Arbitrary<string> {
  return fc.constantFrom(...real).chain((key) => {
    const fields = Object.keys(key)
    return fc.oneof(
      fc
        .constantFrom(...fields)
        .map((drop) => wireOf(Object.fromEntries(Object.entries(key).filter(([f]) => f !== drop)))),
      fc
        .tuple(
          fc.oneof(fc.constantFrom('__proto__', 'constructor', 'extra', 'id2', 'flag', 'seq'), fc.string()),
          fc.jsonValue({ maxDepth: 2 }),
        )
        .filter(([name]) => !fields.includes(name))
        .map(([name, value]) => wireOf(Object.fromEntries([...Object.entries(key), [name, value]]))),
      fc
        .constantFrom(...fields)
        .chain((field) => wrongValue[kindOf(key[field])].map((value) => wireOf({ ...key, [field]: value }))),
      // Longer than any listing reads.
      fc.integer({ min: 1_100, max: 3_000 }).map((length) => wireOf({ ...key, pad: 'x'.repeat(length) })),
    )
  })
}

/** Cursors no listing gave out, whatever the listing. */
const forgedAnywhere: fc.Arbitrary<string> = fc
  .oneof(
    // Not base64url at all.
    fc.string({ minLength: 1, maxLength: 80 }).filter((s) => /[^A-Za-z0-9_-]/.test(s) && s.trim() !== ''),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }).filter((s) => /[^A-Za-z0-9_-]/.test(s)),
    // base64url, but not of UTF-8 JSON (random bytes), or of JSON that is not an object.
    fc.uint8Array({ minLength: 1, maxLength: 120 }).map(b64),
    fc
      .jsonValue({ maxDepth: 3 })
      .filter((v) => typeof v !== 'object' || v === null || Array.isArray(v))
      .map(wireOf),
    // Objects of random fields and values: none is the key of a listing (no listing has a field named so).
    fc
      .dictionary(
        fc.string({ minLength: 1, maxLength: 12 }).map((name) => `x${name}`),
        fc.jsonValue({ maxDepth: 2 }),
        {
          maxKeys: 4,
        },
      )
      .map(wireOf),
    // The keys the listings use, with values of the wrong kind.
    fc
      .record(
        {
          after: wrongValue.uuid,
          at: wrongValue.timestamp,
          id: wrongValue.uuid,
          flag: wrongValue.boolean,
          createdAt: wrongValue.timestamp,
          seq: wrongValue.seq,
          a: wrongValue.uuid,
          m: wrongValue.count,
          name: wrongValue.text,
        },
        { requiredKeys: [] },
      )
      .map(wireOf),
    // Valid base64url text longer than any cursor.
    fc.integer({ min: 1_100, max: 4_000 }).map((length) => 'A'.repeat(length).replace(/^A/, 'e')),
  )
  .filter((text) => text.length > 0 && !looksLikeCurrencyCode(text))

/** The JSON objects in a listing's real cursors (a currency list's codes are not JSON). */
function realKeys(listing: Listing): Record<string, unknown>[] {
  const keys: Record<string, unknown>[] = []
  for (const cursor of listing.real) {
    try {
      const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown
      if (value && typeof value === 'object' && !Array.isArray(value))
        keys.push(value as Record<string, unknown>)
    } catch {
      // Not JSON: a currency code.
    }
  }
  return keys
}

/** What is wrong with the answer to a forged cursor, or undefined. */
function problemWith(listing: Listing, cursor: string, response: LightMyRequestResponse): string | undefined {
  if (response.statusCode !== 400) return `status ${response.statusCode}`
  if (!String(response.headers['content-type']).startsWith('application/problem+json'))
    return 'not a problem body'
  const problem = response.json() as { code?: unknown; status?: unknown }
  if (problem.status !== 400 || typeof problem.code !== 'string')
    return 'a problem without its status or code'
  // What the route's schema lets through reaches the codec, which has one answer for it.
  const reachesListing = cursor.length <= listing.cursorLengthMax && !cursor.includes('\u0000')
  if (reachesListing && problem.code !== 'invalid_cursor') return `code ${problem.code}, not invalid_cursor`
  return undefined
}

describe('cursors of every listing', () => {
  it('finds every listing that takes a cursor in the OpenAPI document, and knows how to call each', () => {
    expect(cursorOperations.length).toBeGreaterThanOrEqual(cursorListingsMin)
    const registered = new Set(w.t.app.routes.map((route) => `${route.method} ${route.url}`))
    for (const operation of cursorOperations) expect(registered, operation).toContain(operation)
    // A listing the route table cannot call would go untested: add it to tests/security/route-table.ts.
    expect(listings.map((listing) => listing.url).sort()).toEqual([...cursorOperations].sort())
  })

  it('follows every real cursor to the next page, in every listing', () => {
    expect(walkFailures).toEqual([])
    const withoutCursor = listings
      .filter((listing) => listing.real.length === 0)
      .map((listing) => listing.url)
    expect(withoutCursor, 'listings whose fixture has a single page').toEqual([])
  })

  it('answers a forged cursor 400 invalid_cursor in every listing, never 5xx, and changes nothing', async () => {
    expect(listings.length).toBe(cursorOperations.length)
    const before = await databaseFingerprint(w)
    const failures: string[] = []
    let covered = 0
    for (const [index, listing] of listings.entries()) {
      const keys = realKeys(listing)
      const forged = keys.length ? fc.oneof(forgedAnywhere, brokenRealCursor(keys)) : forgedAnywhere
      let sent = 0
      const failure = await fc
        .assert(
          fc.asyncProperty(forged, async (cursor) => {
            const response = await w.t.request({
              method: 'GET',
              url: withQuery(listing.path, { cursor }),
              headers: listing.headers,
            })
            sent += 1
            const wrong = problemWith(listing, cursor, response)
            if (wrong)
              throw new Error(
                `${listing.url}: ${wrong}\ncursor: ${cursor.slice(0, 300)}\nresponse: ${response.body.slice(0, 300)}`,
              )
          }),
          { seed: seed + index, numRuns: forgedRunsPerListing },
        )
        .then(
          () => undefined,
          (error: Error) => `${error.message}\n${(error.cause as Error | undefined)?.message ?? ''}`,
        )
      if (failure) failures.push(failure)
      else if (sent >= forgedRunsPerListing) covered += 1
    }
    expect(failures).toEqual([])
    // Every listing the OpenAPI document names was sent its forged cursors.
    expect(covered).toBe(cursorOperations.length)
    expect(await databaseFingerprint(w)).toEqual(before)
  })

  it('answers the forged exchange cursor of the issue 400 (it was a 500)', async () => {
    const cursor = b64(JSON.stringify({ id: 'x', createdAt: '2020-01-01T00:00:00Z' }))
    const response = await w.call('member', 'GET', `/api/ledger/exchanges?cursor=${cursor}`)
    expect(response.statusCode).toBe(400)
    expect(response.json()).toMatchObject({ status: 400, code: 'invalid_cursor' })
    const statement = await w.call(
      'member',
      'GET',
      `/api/ledger/accounts/${w.ids.memberAccount}/transfers?cursor=${b64(JSON.stringify({ seq: '9999999999999999999' }))}`,
    )
    expect(statement.statusCode).toBe(400)
    expect(statement.json()).toMatchObject({ status: 400, code: 'invalid_cursor' })
    // A uuid is a uuid in either case.
    const upper = b64(JSON.stringify({ after: randomUUID().toUpperCase() }))
    expect((await w.call('anonymous', 'GET', `/api/entities?cursor=${upper}`)).statusCode).toBe(200)
  })
})
