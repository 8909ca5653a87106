import http from 'node:http'
import { performance } from 'node:perf_hooks'
import { LatencyRecorder, type PhaseSummary } from './stats'

export interface LoadRequest {
  method: 'POST' | 'GET'
  path: string
  headers: Record<string, string>
  body?: string
}

export interface ClosedLoopOptions {
  baseUrl: string
  /** Concurrent clients, each with its own keep-alive connection and one request in flight at a time. */
  clients: number
  warmupSeconds: number
  seconds: number
  /** The next request of client `client` (0 … clients - 1). */
  next: (client: number) => LoadRequest
  /** The status every request is expected to get; any other is counted by status and problem code. */
  expectedStatus: number
  /** Called when the warm-up ends and when the measured window ends, before the next request is sent. */
  onWindowStart?: () => void
  onWindowEnd?: () => void
}

export interface ClosedLoopResult {
  /** Requests answered with the expected status within the measured window, and their latencies. */
  summary: PhaseSummary
  /** Answers with the expected status over the whole run, warm-up and the requests still in flight included. */
  expectedTotal: number
  /** Other answers over the whole run: "422 exceeds_credit_limit", "error ECONNRESET", … */
  unexpected: Map<string, number>
}

/** Wait after a failed connection before the client tries again, so a dead server does not spin the loop. */
const errorBackoffMs = 50

/**
 * A closed-loop HTTP load generator on node:http: `clients` loops, each sending its next request as soon as
 * the previous one is answered, over keep-alive connections (one per client). Latency is request written to
 * response fully read. The measured window follows the warm-up without a pause, so the system is in its
 * steady state when the clock starts; requests completing inside the window are the ones counted.
 */
export async function runClosedLoop(options: ClosedLoopOptions): Promise<ClosedLoopResult> {
  const url = new URL(options.baseUrl)
  const agent = new http.Agent({
    keepAlive: true,
    maxSockets: options.clients,
    maxFreeSockets: options.clients,
  })
  const recorder = new LatencyRecorder()
  const unexpected = new Map<string, number>()
  let expectedTotal = 0
  const count = (key: string) => unexpected.set(key, (unexpected.get(key) ?? 0) + 1)

  const startedMs = performance.now()
  const windowStartMs = startedMs + options.warmupSeconds * 1000
  const windowEndMs = windowStartMs + options.seconds * 1000
  // The window is what the timers actually measured, which may start or end a little late on a busy machine.
  let windowStarted = false
  let windowEnded = false
  let openedMs = windowStartMs
  let closedMs = windowEndMs
  const startTimer = setTimeout(() => {
    windowStarted = true
    openedMs = performance.now()
    options.onWindowStart?.()
  }, windowStartMs - startedMs)
  const endTimer = setTimeout(() => {
    windowEnded = true
    closedMs = performance.now()
    options.onWindowEnd?.()
  }, windowEndMs - startedMs)

  const send = (request: LoadRequest) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const body = request.body ?? ''
      const outgoing = http.request(
        {
          agent,
          host: url.hostname,
          port: url.port,
          method: request.method,
          path: request.path,
          headers: body ? { ...request.headers, 'content-length': Buffer.byteLength(body) } : request.headers,
        },
        (response) => {
          const status = response.statusCode ?? 0
          // The expected answer's body is not needed; other answers are kept to name their problem code.
          if (status === options.expectedStatus) {
            response.on('end', () => resolve({ status, body: '' }))
            response.resume()
            return
          }
          const chunks: Buffer[] = []
          response.on('data', (chunk: Buffer) => chunks.push(chunk))
          response.on('end', () => resolve({ status, body: Buffer.concat(chunks).toString() }))
        },
      )
      outgoing.on('error', reject)
      outgoing.end(body)
    })

  const loop = async (client: number) => {
    while (!windowEnded) {
      const request = options.next(client)
      const sentMs = performance.now()
      try {
        const { status, body } = await send(request)
        const doneMs = performance.now()
        if (status === options.expectedStatus) {
          expectedTotal++
          if (windowStarted && !windowEnded) recorder.record(doneMs - sentMs)
        } else {
          count(`${status} ${problemCode(body)}`)
        }
      } catch (error) {
        count(`error ${(error as { code?: string }).code ?? (error as Error).message}`)
        await new Promise((resolve) => setTimeout(resolve, errorBackoffMs))
      }
    }
  }
  await Promise.all(Array.from({ length: options.clients }, (_, client) => loop(client)))
  clearTimeout(startTimer)
  clearTimeout(endTimer)
  agent.destroy()
  return { summary: recorder.summarise(closedMs - openedMs), expectedTotal, unexpected }
}

export function problemCode(body: string): string {
  try {
    return String((JSON.parse(body) as { code?: unknown }).code ?? 'no code')
  } catch {
    return 'no problem body'
  }
}
