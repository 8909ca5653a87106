import http from 'node:http'
import { performance } from 'node:perf_hooks'
import { problemCode } from './http-load'
import { LatencyRecorder, type PhaseSummary } from './stats'

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PATCH'
  path: string
  headers?: Record<string, string>
  body?: string
}

export interface HttpAnswer {
  status: number
  headers: http.IncomingHttpHeaders
  /** The body as text when asked for (`keepBody`) or when the status was not an expected one; else ''. */
  body: string
}

/** Past this, a request counts as failed ("error timeout"): the server's own request timeout is 30 s. */
const requestTimeoutMs = 60_000
/** Wait after a failed connection before the user tries again, so a dead server does not spin the loop. */
const errorBackoffMs = 50

/**
 * Latencies and failures by kind of request, cut into consecutive intervals: `cut()` hands over the interval
 * that just ended and starts the next. A request belongs to the interval in which its answer was read.
 */
export class IntervalStats<Kind extends string> {
  private recorders = new Map<Kind, LatencyRecorder>()
  private failures = new Map<string, number>()
  private startedMs = performance.now()
  /** Every failure since the start, by "kind status code". */
  readonly failuresTotal = new Map<string, number>()
  /** After `close()`, answers still arriving are ignored: the run is over. */
  private closed = false

  constructor(private readonly kinds: readonly Kind[]) {
    for (const kind of kinds) this.recorders.set(kind, new LatencyRecorder())
  }

  record(kind: Kind, ms: number): void {
    if (!this.closed) this.recorders.get(kind)!.record(ms)
  }

  fail(kind: Kind, reason: string): void {
    if (this.closed) return
    const key = `${kind} ${reason}`
    this.failures.set(key, (this.failures.get(key) ?? 0) + 1)
    this.failuresTotal.set(key, (this.failuresTotal.get(key) ?? 0) + 1)
  }

  cut(): {
    seconds: number
    byKind: Map<Kind, PhaseSummary>
    /** The interval's latencies per kind, kept so that several intervals can be judged together. */
    samples: Map<Kind, readonly number[]>
    failures: Map<string, number>
  } {
    const nowMs = performance.now()
    const elapsedMs = nowMs - this.startedMs
    const byKind = new Map<Kind, PhaseSummary>()
    const samples = new Map<Kind, readonly number[]>()
    for (const kind of this.kinds) {
      const recorder = this.recorders.get(kind)!
      byKind.set(kind, recorder.summarise(elapsedMs))
      samples.set(kind, recorder.values())
      this.recorders.set(kind, new LatencyRecorder())
    }
    const failures = this.failures
    this.failures = new Map()
    this.startedMs = nowMs
    return { seconds: elapsedMs / 1000, byKind, samples, failures }
  }

  close(): void {
    this.closed = true
  }
}

/**
 * HTTP over keep-alive connections (node:http, one agent), each request timed from written to answer read, and
 * judged: an answer with one of the kind's expected statuses is recorded as a latency and returned; anything
 * else (another status with its problem code, a connection error, a timeout) is counted as a failure and gives
 * null.
 */
export function createMeasuredClient<Kind extends string>(options: {
  baseUrl: string
  sockets: number
  stats: IntervalStats<Kind>
  expected: Record<Kind, readonly number[]>
}) {
  const url = new URL(options.baseUrl)
  const agent = new http.Agent({
    keepAlive: true,
    maxSockets: options.sockets,
    maxFreeSockets: options.sockets,
  })

  const send = (request: HttpRequest, expected: readonly number[], keepBody: boolean) =>
    new Promise<HttpAnswer>((resolve, reject) => {
      const body = request.body ?? ''
      const headers = { ...request.headers }
      if (body) {
        headers['content-type'] ??= 'application/json'
        headers['content-length'] = String(Buffer.byteLength(body))
      }
      const outgoing = http.request(
        { agent, host: url.hostname, port: url.port, method: request.method, path: request.path, headers },
        (response) => {
          const status = response.statusCode ?? 0
          if (!keepBody && expected.includes(status)) {
            response.on('end', () => resolve({ status, headers: response.headers, body: '' }))
            response.on('error', reject)
            response.resume()
            return
          }
          const chunks: Buffer[] = []
          response.on('data', (chunk: Buffer) => chunks.push(chunk))
          response.on('end', () =>
            resolve({ status, headers: response.headers, body: Buffer.concat(chunks).toString() }),
          )
          response.on('error', reject)
        },
      )
      outgoing.setTimeout(requestTimeoutMs, () =>
        outgoing.destroy(Object.assign(new Error('timeout'), { code: 'timeout' })),
      )
      outgoing.on('error', reject)
      outgoing.end(body)
    })

  return {
    async request(kind: Kind, request: HttpRequest, keepBody = false): Promise<HttpAnswer | null> {
      const expected = options.expected[kind]
      const sentMs = performance.now()
      try {
        const answer = await send(request, expected, keepBody)
        if (expected.includes(answer.status)) {
          options.stats.record(kind, performance.now() - sentMs)
          return answer
        }
        options.stats.fail(kind, `${answer.status} ${problemCode(answer.body)}`)
      } catch (error) {
        options.stats.fail(kind, `error ${(error as { code?: string }).code ?? (error as Error).message}`)
        await sleep(errorBackoffMs)
      }
      return null
    },
    close(): void {
      agent.destroy()
    },
  }
}

/**
 * `users` virtual users, each running `act` once per `periodMs` (a closed loop with think time): a user whose
 * request takes longer than its period starts the next at once, without catching up on the ones it missed, so a
 * slow server gets fewer requests rather than a burst, and at most `users` are in flight. The users start spread
 * over one period. Resolves when `stopped()` says so and every user's last action has ended.
 */
export async function runPacedUsers(options: {
  users: number
  periodMs: number
  act: (user: number) => Promise<void>
  stopped: () => boolean
}): Promise<void> {
  const { users, periodMs, act, stopped } = options
  await Promise.all(
    Array.from({ length: users }, async (_, user) => {
      let dueMs = performance.now() + (periodMs * user) / users
      while (!stopped()) {
        const waitMs = dueMs - performance.now()
        if (waitMs > 0) await sleep(waitMs)
        if (stopped()) break
        await act(user)
        dueMs = Math.max(dueMs + periodMs, performance.now())
      }
    }),
  )
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
