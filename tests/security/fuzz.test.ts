import type { AuthTokens } from '@quartiere/contracts'
import fc from 'fast-check'
import type { InjectOptions, LightMyRequestResponse } from 'fastify'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectBooksBalance } from '../support/ledger'
import { bearer } from '../support/test-app'
import { routeTable } from './route-table'
import { buildWorld, type World } from './world'

/**
 * Malformed and boundary requests to every route of the app, generated from its OpenAPI document (parameters,
 * bodies) and a valid example of each body (from the route table), as anonymous, a member and an admin. Nothing
 * may answer 5xx, leak a stack trace or SQL, or answer a 4xx without a problem body; afterwards the database
 * holds no invalid geometry and the books balance.
 *
 * Deterministic: FUZZ_SEED (default below) and FUZZ_RUNS_PER_ROUTE choose the run; a failure prints the seed
 * and the shrunk request.
 */
const seed = Number(process.env.FUZZ_SEED ?? 20_260_523)
const runsPerRoute = Number(process.env.FUZZ_RUNS_PER_ROUTE ?? 60)

let w: World

beforeAll(async () => {
  w = await buildWorld()
})
afterAll(async () => {
  await w?.close()
})

interface Operation {
  parameters?: { in: string; name: string; schema?: { type?: string; enum?: unknown[] } }[]
  requestBody?: { content?: Record<string, unknown> }
}

interface RouteSpec {
  method: string
  url: string
  pathParams: string[]
  query: { name: string; type: string | undefined }[]
  headers: string[]
  jsonBody: boolean
  example: unknown
}

// ------------------------------------------------------------------------------------------ values

/** Strings that have broken parsers, databases and templating before. None looks like SQL or a stack trace. */
const nastyStrings = [
  '',
  ' ',
  'null',
  'undefined',
  'NaN',
  'Infinity',
  '-Infinity',
  '1e309',
  '-1e309',
  '1e-400',
  '-1',
  '0',
  '-0',
  '9007199254740993',
  '99999999999999999999999999',
  '0x1F',
  '１２３',
  'true',
  '[]',
  '{}',
  "' OR '1'='1",
  '1; DROP TABLE users',
  '\\',
  '"',
  '%',
  '%00',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '../../etc/passwd',
  '<script>alert(1)</script>',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the text of a template injection, sent as it is
  '${7*7}',
  '{{7*7}}',
  'città àèìòù',
  '𝕌𝕟𝕚𝕔𝕠𝕕𝕖 🏳️‍🌈',
  '\u202egnp.exe',
  'x'.repeat(5_000),
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '6f1c2b9e-3a4d-4e5f-8a7b-1c2d3e4f5a6',
  '6F1C2B9E-3A4D-4E5F-8A7B-1C2D3E4F5A6B',
  '7.6,45.0,7.7',
  '7.6,45.0,7.7,45.1,1',
  '180,90,-180,-90',
  '-181,-91,181,91',
  '-180,-90,180,90',
  'NaN,NaN,NaN,NaN',
  '1e400,0,1,1',
  '7.6,45,7.6,45',
  ',,,',
  '2024-02-30',
  '9999-99-99',
  '2024-01-05T',
  '2024-01-05T/2024-01-20T',
  '../..',
  '2024-13-01T25:61:61Z',
  '+275760-09-13T00:00:00.001Z',
  '-271821-04-20T00:00:00Z',
  '0000-00-00',
  '1970-01-01T00:00:00+99:99',
  'event,space,space',
  'nonsense-kind',
  '*',
  'eyJhbGciOiJub25lIn0.e30.',
]

const nastyString = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...nastyStrings) },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.uuid().map(String) },
)

const nastyNumber = fc.oneof(
  fc.constantFrom(
    0,
    -0,
    -1,
    1,
    2 ** 31,
    -(2 ** 31),
    2 ** 53 + 1,
    Number.MAX_VALUE,
    Number.MIN_VALUE,
    1e21,
    0.1,
  ),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
)

/** Any JSON value, nested a little. */
const nastyJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: nastyString },
  { weight: 2, arbitrary: nastyNumber },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
)

/** Arrays or objects `depth` levels down, as JSON text (as a value, a report of it, even JSON.stringify, would
 * run out of stack before the server is asked). */
function nestedText(depth: number, arrays: boolean): string {
  return arrays
    ? `${'['.repeat(depth)}7.6,45${']'.repeat(depth)}`
    : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`
}

/** Headers must be printable ASCII to be sent at all. */
const headerValue = fc.oneof(
  fc.constantFrom('"1"', 'W/"1"', '*', '"999999999999"', '"-1"', '', 'x'.repeat(200), 'null', '"1", "2"'),
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 60 }),
  fc.uuid().map(String),
)

// ------------------------------------------------------------------------------------------ requests

function pathValues(w: World): string[] {
  return [
    ...Object.values(w.ids),
    w.tokens.member.user.id,
    w.tokens.peer.user.id,
    'space',
    'all',
    'event',
    'geojson',
    'csv',
    'fgb',
    'TIME',
    '12',
    '2135',
    '1475',
    '0',
  ]
}

function pathValue(w: World) {
  return fc
    .tuple(
      fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(...pathValues(w)) },
        { weight: 3, arbitrary: nastyString },
        { weight: 1, arbitrary: nastyNumber.map(String) },
      ),
      fc.boolean(),
    )
    .map(([value, encoded]) => (encoded || /[/?#\s%]|[^\x20-\x7e]/.test(value) ? encode(value) : value))
}

function queryValue() {
  return fc.oneof(
    { weight: 4, arbitrary: nastyString },
    { weight: 1, arbitrary: nastyNumber.map(String) },
    {
      weight: 1,
      arbitrary: fc.tuple(nastyNumber, nastyNumber, nastyNumber, nastyNumber).map((box) => box.join(',')),
    },
  )
}

/** Valid JSON text with one number replaced by one that JSON.parse turns into Infinity, -0 or 0. */
function withRawNumber(text: string, replacement: string) {
  const at = text.search(/-?\d+(\.\d+)?/)
  if (at < 0) return text
  return text.replace(/-?\d+(\.\d+)?/, replacement)
}

type Mutation =
  | { kind: 'example' }
  | { kind: 'drop'; index: number }
  | { kind: 'replace'; index: number; value: unknown }
  | { kind: 'add'; key: string; value: unknown }
  | { kind: 'deep'; index: number; depth: number; arrays: boolean }
  | { kind: 'huge'; index: number; length: number }
  | { kind: 'random'; value: unknown }
  | { kind: 'raw'; text: string }
  | { kind: 'rawNumber'; number: string }
  | { kind: 'contentType'; type: string }

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constant({ kind: 'example' as const }),
  fc.nat().map((index) => ({ kind: 'drop' as const, index })),
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('replace' as const), index: fc.nat(), value: nastyJson }),
  },
  fc.record({ kind: fc.constant('add' as const), key: nastyString, value: nastyJson }),
  fc.record({
    kind: fc.constant('deep' as const),
    index: fc.nat(),
    depth: fc.integer({ min: 50, max: 5_000 }),
    arrays: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('huge' as const),
    index: fc.nat(),
    length: fc.constantFrom(10_000, 100_000, 900_000),
  }),
  fc.record({ kind: fc.constant('random' as const), value: nastyJson }),
  fc.record({
    kind: fc.constant('raw' as const),
    text: fc.constantFrom(
      '',
      '{',
      '{"a":',
      'null',
      '[]',
      '"text"',
      '{"a":1}}',
      '\u0000',
      '{"__proto__":{"x":1}}',
    ),
  }),
  fc.record({
    kind: fc.constant('rawNumber' as const),
    number: fc.constantFrom('1e400', '-1e400', '-0', '1e-400'),
  }),
  fc.record({
    kind: fc.constant('contentType' as const),
    type: fc.constantFrom(
      'text/plain',
      'application/xml',
      'application/x-www-form-urlencoded',
      'application/json; charset=utf-16',
      'multipart/form-data; boundary=x',
      'multipart/form-data',
      'application/octet-stream',
      'application/json, text/plain',
      '*/*',
      'application/geo+json',
      'application/problem+json',
    ),
  }),
)

/** The body to send and its content type, from the example and one mutation. */
function mutate(example: unknown, m: Mutation): { payload: string | Buffer; contentType: string } {
  const json = (value: unknown) => ({ payload: JSON.stringify(value), contentType: 'application/json' })
  const base = example && typeof example === 'object' && !Buffer.isBuffer(example) ? example : {}
  const entries = Object.entries(base as Record<string, unknown>)
  const pick = (index: number) => (entries.length ? entries[index % entries.length]![0] : 'x')
  switch (m.kind) {
    case 'example':
      return json(base)
    case 'drop': {
      const { [pick(m.index)]: _dropped, ...rest } = base as Record<string, unknown>
      return json(rest)
    }
    case 'replace':
      return json({ ...base, [pick(m.index)]: m.value })
    case 'add':
      return json({ ...base, [m.key]: m.value })
    case 'deep':
      return {
        payload: JSON.stringify({ ...base, [pick(m.index)]: '<deep>' }).replace(
          '"<deep>"',
          nestedText(m.depth, m.arrays),
        ),
        contentType: 'application/json',
      }
    case 'huge':
      return json({ ...base, [pick(m.index)]: 'x'.repeat(m.length) })
    case 'random':
      return json(m.value)
    case 'raw':
      return { payload: m.text, contentType: 'application/json' }
    case 'rawNumber':
      return { payload: withRawNumber(JSON.stringify(base), m.number), contentType: 'application/json' }
    case 'contentType':
      return { payload: JSON.stringify(base), contentType: m.type }
  }
}

/**
 * Percent-encodes text; a lone surrogate (which encodeURIComponent refuses) goes as the bytes a careless client
 * would send for it (`%ED%A0%80`), which are not UTF-8.
 */
function encode(text: string): string {
  try {
    return encodeURIComponent(text)
  } catch {
    return [...text]
      .map((c) => (/[\ud800-\udfff]/.test(c) && c.length === 1 ? '%ED%A0%80' : encodeURIComponent(c)))
      .join('')
  }
}

function fillPath(url: string, values: string[]) {
  let i = 0
  return url.replace(/:(\w+)/g, () => values[i++] ?? 'x').replace('*', values[i] ?? 'x')
}

// ------------------------------------------------------------------------------------------ checks

const stackTrace = [/\bat [\w.<>]+ \(/, /node_modules/, /\.ts:\d/, /\.js:\d/, /\/work\//]
const sqlLeaks = [/\bSELECT\b/i, /syntax error/i, /relation "/, /violates/i, /\bpg_/, /\bINSERT INTO\b/i]

/** What is wrong with an answer, or undefined. Patterns the request itself carried are not held against it. */
function problemWith(response: LightMyRequestResponse, requestText: string): string | undefined {
  const status = response.statusCode
  if (status >= 500) return `status ${status}`
  const body = response.body
  for (const pattern of [...stackTrace, ...sqlLeaks]) {
    if (pattern.test(body) && !pattern.test(requestText)) return `the body matches ${pattern}`
  }
  if (status >= 400) {
    if (!String(response.headers['content-type']).startsWith('application/problem+json'))
      return `a ${status} without a problem body`
    const problem = JSON.parse(body) as { code?: unknown; status?: unknown }
    if (typeof problem.code !== 'string' || problem.status !== status)
      return `a ${status} problem without a code`
  }
  return undefined
}

// ------------------------------------------------------------------------------------------ the run

async function routeSpecs(): Promise<RouteSpec[]> {
  const document = w.t.app.fastify.swagger() as { paths: Record<string, Record<string, Operation>> }
  const examples = new Map<string, unknown>()
  for (const entry of routeTable) {
    if (entry.method === 'GET' || entry.method === 'OPTIONS') continue
    const attempt = await entry.request(w, 'member')
    if (attempt.payload !== undefined && !Buffer.isBuffer(attempt.payload))
      examples.set(`${entry.method} ${entry.url}`, attempt.payload)
  }
  const specs: RouteSpec[] = []
  for (const route of w.t.app.routes) {
    // The web client's files are static (and answer 503 where it is not built); HEAD mirrors GET.
    if (route.method === 'HEAD' || route.url === '/' || route.url === '/*' || route.url === '/assets/*')
      continue
    const openApiPath = route.url.replace(/:(\w+)/g, '{$1}')
    const operation = document.paths[openApiPath]?.[route.method.toLowerCase()]
    const parameters = operation?.parameters ?? []
    specs.push({
      method: route.method,
      url: route.url,
      pathParams: [...route.url.matchAll(/:(\w+)|\*/g)].map((m) => m[1] ?? '*'),
      query: parameters.filter((p) => p.in === 'query').map((p) => ({ name: p.name, type: p.schema?.type })),
      headers: parameters.filter((p) => p.in === 'header').map((p) => p.name),
      jsonBody: Boolean(operation?.requestBody?.content?.['application/json']),
      example: examples.get(`${route.method} ${route.url}`),
    })
  }
  return specs
}

describe('fuzzing every route', () => {
  it('never answers 5xx, a stack trace, SQL, or a 4xx without a problem; stores nothing invalid', async () => {
    const specs = await routeSpecs()
    expect(specs.length).toBeGreaterThan(80)

    const actors: Record<string, AuthTokens | undefined> = {
      anonymous: undefined,
      member: w.tokens.member,
      admin: w.tokens.admin,
    }
    let sent = 0
    const statuses: Record<string, number> = {}
    const failures: string[] = []
    for (const spec of specs) {
      const request = fc.record({
        actor: fc.constantFrom('anonymous', 'member', 'member', 'admin'),
        path: fc.array(pathValue(w), {
          minLength: spec.pathParams.length,
          maxLength: spec.pathParams.length,
        }),
        query: fc.record(Object.fromEntries(spec.query.map((q) => [q.name, queryValue()])), {
          requiredKeys: [],
        }),
        extraQuery: fc.dictionary(
          fc.constantFrom('x', 'limit', 'cursor', '__proto__', 'a[b]', 'bbox'),
          queryValue(),
          {
            maxKeys: 2,
          },
        ),
        headers: fc.record(Object.fromEntries(spec.headers.map((h) => [h, headerValue])), {
          requiredKeys: [],
        }),
        body: mutation,
        sendBody: fc.boolean(),
      })
      // Every route is fuzzed even when one fails, so that one run shows every problem.
      const failure = await fc
        .assert(
          fc.asyncProperty(request, async (r) => {
            const url = new URL(fillPath(spec.url, r.path), 'http://localhost')
            const search = [
              ...Object.entries(r.query as Record<string, string>),
              ...Object.entries(r.extraQuery),
            ]
              .map(([name, value]) => `${encode(name)}=${encode(value)}`)
              .join('&')
            const withBody = spec.method !== 'GET' && (spec.jsonBody || r.sendBody)
            const body = withBody ? mutate(spec.example, r.body) : undefined
            const tokens = actors[r.actor]
            const options: InjectOptions = {
              method: spec.method as InjectOptions['method'],
              url: `${url.pathname}${search ? `?${search}` : ''}`,
              headers: {
                ...(tokens ? bearer(tokens) : {}),
                ...(r.headers as Record<string, string>),
                ...(body ? { 'content-type': body.contentType } : {}),
              },
              ...(body ? { payload: body.payload } : {}),
            }
            const response = await w.t.request(options)
            sent += 1
            const family = `${Math.floor(response.statusCode / 100)}xx`
            statuses[family] = (statuses[family] ?? 0) + 1
            const requestText = `${options.url} ${JSON.stringify(options.headers)} ${body?.payload ?? ''}`
            const wrong = problemWith(response, requestText)
            if (wrong)
              throw new Error(
                `${spec.method} ${spec.url}: ${wrong}\nrequest: ${requestText.slice(0, 600)}\nresponse: ${response.statusCode} ${response.body.slice(0, 600)}`,
              )
          }),
          { seed: seed + specs.indexOf(spec), numRuns: runsPerRoute },
        )
        .then(
          () => undefined,
          (error: Error) => `${error.message}\n${(error.cause as Error | undefined)?.message ?? ''}`,
        )
      if (failure) failures.push(failure)
    }
    expect(failures).toEqual([])
    expect(sent).toBeGreaterThanOrEqual(specs.length * runsPerRoute)
    // Not everything bounced off validation: a good share reached the handlers and succeeded.
    expect(statuses['2xx'] ?? 0, JSON.stringify(statuses)).toBeGreaterThan(sent / 20)

    // Nothing invalid was stored on the way.
    const invalid = await sql<{ count: string }>`
      SELECT count(*)::text AS count FROM entities WHERE NOT ST_IsValid(geom) OR ST_IsEmpty(geom)`.execute(
      w.t.database.db,
    )
    expect(invalid.rows[0]?.count).toBe('0')
    await expectBooksBalance(w.t.database)
  }, 900_000)

  it('survives the values that break parsers, in every query parameter and every body field', async () => {
    const specs = await routeSpecs()
    // Sent as they are (already encoded for a URL) or spliced into JSON text as they are.
    const queryValues = [
      '%00',
      'a%00b',
      '%ED%A0%80',
      '%FF',
      '1e400',
      '-1e400',
      '99999999999999999999',
      '-1',
      encode('x'.repeat(3000)),
    ]
    const bodyValues = [
      '"\\u0000"',
      '"a\\u0000b"',
      '"\\ud800"',
      '1e400',
      '-1e400',
      '-1',
      '99999999999999999999',
      '1.5',
      '""',
      'null',
      '[]',
      '{}',
      '"\\u202e"',
    ]
    const failures: string[] = []
    let sent = 0
    const send = async (options: InjectOptions, label: string) => {
      const response = await w.t.request(options)
      sent += 1
      const wrong = problemWith(response, `${options.url} ${String(options.payload ?? '')}`)
      if (wrong) failures.push(`${label}: ${wrong}: ${response.statusCode} ${response.body.slice(0, 300)}`)
    }
    for (const spec of specs) {
      const path = fillPath(
        spec.url,
        spec.pathParams.map((_, i) => (i === 0 ? w.ids.entity : w.ids.post)),
      )
      for (const actor of [undefined, w.tokens.member]) {
        const headers = actor ? bearer(actor) : {}
        for (const { name } of spec.query) {
          for (const value of queryValues) {
            await send(
              {
                method: spec.method as InjectOptions['method'],
                url: `${path}?${encode(name)}=${value}`,
                headers,
              },
              `${spec.method} ${spec.url}?${name}=${value.slice(0, 20)}`,
            )
          }
        }
        const example = spec.example
        if (!example || typeof example !== 'object' || Buffer.isBuffer(example)) continue
        for (const field of Object.keys(example)) {
          for (const value of bodyValues) {
            const payload = JSON.stringify({ ...example, [field]: '<value>' }).replace('"<value>"', value)
            await send(
              {
                method: spec.method as InjectOptions['method'],
                url: path,
                headers: { ...headers, 'content-type': 'application/json' },
                payload,
              },
              `${spec.method} ${spec.url} with ${field}: ${value}`,
            )
          }
        }
      }
    }
    expect(failures).toEqual([])
    expect(sent).toBeGreaterThan(1000)
  }, 900_000)
})

describe('regressions found by fuzzing', () => {
  it('answers a plain GET of the websocket endpoint 426 with a problem (it was an empty 404)', async () => {
    const response = await w.t.request({ method: 'GET', url: '/ws' })
    expect(response.statusCode).toBe(426)
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(response.headers.upgrade).toBe('websocket')
    expect(response.json()).toMatchObject({ status: 426, code: 'upgrade_required' })
  })

  it('answers malformed and overlong paths with problems (they were Fastify JSON echoing the path)', async () => {
    const malformed = await w.t.request({ method: 'GET', url: '/api/posts/%' })
    expect(malformed.statusCode).toBe(400)
    expect(malformed.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(malformed.json()).toMatchObject({ status: 400, code: 'invalid_url' })
    const overlong = await w.t.request({
      method: 'DELETE',
      url: `/api/posts/${'x'.repeat(300)}`,
      headers: bearer(w.tokens.member),
    })
    expect(overlong.statusCode).toBe(414)
    expect(overlong.json()).toMatchObject({ status: 414, code: 'url_too_long' })
    expect(overlong.body).not.toContain('xxxxxxxxxx')
  })

  it('refuses U+0000 in a body, a nested body value, a query or a path with 400 and stores nothing (it was a 500)', async () => {
    const before = await sql<{ count: string }>`SELECT count(*)::text AS count FROM entities`.execute(
      w.t.database.db,
    )
    const cases: InjectOptions[] = [
      {
        method: 'POST',
        url: '/api/auth/register',
        payload: {
          email: 'nul@example.org',
          password: 'correct horse battery staple',
          displayName: 'a\u0000b',
        },
      },
      {
        method: 'POST',
        url: '/api/entities',
        headers: bearer(w.tokens.member),
        payload: {
          kind: 'space',
          title: 'Spazio',
          geometry: { type: 'Point', coordinates: [7.68, 45.07] },
          properties: { address: 'via\u0000Roma' },
        },
      },
      { method: 'GET', url: '/api/entities?q=a%00b' },
      { method: 'GET', url: '/api/members?q=%00', headers: bearer(w.tokens.member) },
      { method: 'GET', url: '/api/initiatives/a%00b' },
    ]
    for (const options of cases) {
      const response = await w.t.request(options)
      expect(response.statusCode, `${options.url}: ${response.body}`).toBe(400)
      expect(response.json().code, String(options.url)).toMatch(/^(invalid_text|invalid_request)$/)
    }
    const after = await sql<{ count: string }>`SELECT count(*)::text AS count FROM entities`.execute(
      w.t.database.db,
    )
    expect(after.rows[0]?.count).toBe(before.rows[0]?.count)
    const users = await sql<{
      count: string
    }>`SELECT count(*)::text AS count FROM users WHERE email = 'nul@example.org'`.execute(w.t.database.db)
    expect(users.rows[0]?.count).toBe('0')
  })
})
