import { parentPort, workerData } from 'node:worker_threads'
import WebSocket from 'ws'

/**
 * A share of the benchmark's websocket clients, in a worker thread of its own so that 5,000 sockets do not
 * starve one event loop. Each client says hello (the Quartiere protocol) or nothing (the bare broadcast server),
 * subscribes to its viewport, and records when each event arrives, by the entity's title (the write's number).
 *
 * Every wait is bounded: a client that cannot connect, or is not welcomed, within `readyTimeoutMs` counts as
 * failed (with its reason) instead of holding the benchmark. Connections are opened a few at a time, as real
 * clients arrive, rather than thousands of handshakes at once: a burst overflows the server's accept backlog
 * (SYNs dropped and retried seconds later) and its event loop, and sockets that say hello late are closed by
 * the server's hello timeout.
 */
export interface FeedClientsData {
  url: string
  protocol: 'quartiere' | 'bare'
  viewports: [number, number, number, number][]
  /** Handshakes in flight at once, in this worker. */
  connectingMax: number
  /** From the start of a client's connect to its welcome (or subscribed-bare). */
  readyTimeoutMs: number
}

/** Sent once every client is ready or has failed. */
export interface FeedClientsReady {
  type: 'ready'
  ready: number
  failed: number
  /** Why clients failed, with how many each. */
  failures: Record<string, number>
}

/**
 * The answer to `{type: 'stats'}`, at any time and as often as asked (the soak polls it every interval): events
 * received so far by all clients of this worker, whatever their title, and the closes of ready clients so far.
 */
export interface FeedClientsStats {
  type: 'stats'
  events: number
  closedEarly: Record<string, number>
}

export interface FeedClientsReport {
  type: 'report'
  /** Per client of this worker: whether it was ready, and write number → arrival time. */
  clients: { ready: boolean; arrivals: [number, number][] }[]
  /** Clients that were ready and then closed before the report, by close code. */
  closedEarly: Record<string, number>
}

const { url, protocol, viewports, connectingMax, readyTimeoutMs } = workerData as FeedClientsData
const port = parentPort!

type State = 'waiting' | 'connecting' | 'ready' | 'failed'
const states: State[] = viewports.map(() => 'waiting')
/** Per client: write number → arrival time (ms since timeOrigin, shared by all threads). */
const arrivals: Map<number, number>[] = viewports.map(() => new Map())
const sockets: (WebSocket | null)[] = viewports.map(() => null)
const failures: Record<string, number> = {}
const closedEarly: Record<string, number> = {}
let next = 0
let connecting = 0
let settled = 0
let reported = false
let eventsReceived = 0

function now() {
  return performance.timeOrigin + performance.now()
}

function settle(index: number, state: 'ready' | 'failed', reason?: string) {
  if (states[index] !== 'connecting') return
  states[index] = state
  connecting -= 1
  settled += 1
  if (state === 'failed') {
    failures[reason!] = (failures[reason!] ?? 0) + 1
    sockets[index]?.terminate()
  }
  if (settled === viewports.length) {
    const ready = states.filter((s) => s === 'ready').length
    port.postMessage({
      type: 'ready',
      ready,
      failed: viewports.length - ready,
      failures,
    } satisfies FeedClientsReady)
  } else {
    connectMore()
  }
}

function connect(index: number) {
  const bbox = viewports[index]!
  states[index] = 'connecting'
  connecting += 1
  const socket = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: readyTimeoutMs })
  sockets[index] = socket
  const timer = setTimeout(() => settle(index, 'failed', 'not welcomed in time'), readyTimeoutMs)
  socket.on('open', () => {
    if (protocol === 'quartiere') {
      socket.send(JSON.stringify({ type: 'hello', subscriptions: [{ id: 'v', bbox }] }))
    } else {
      socket.send(JSON.stringify({ bbox }))
    }
  })
  socket.on('message', (data) => {
    const at = now()
    const message = JSON.parse(data.toString()) as {
      type: string
      code?: string
      data?: { properties?: { title?: string } }
    }
    if (message.type === 'welcome' || message.type === 'subscribed-bare') {
      clearTimeout(timer)
      settle(index, 'ready')
      return
    }
    if (message.type === 'error') {
      clearTimeout(timer)
      settle(index, 'failed', `error ${message.code}`)
      return
    }
    if (message.type !== 'event') return
    eventsReceived += 1
    const title = message.data?.properties?.title
    if (title?.startsWith('bench ')) arrivals[index]!.set(Number(title.slice(6)), at)
  })
  socket.on('close', (code) => {
    clearTimeout(timer)
    if (states[index] === 'connecting') settle(index, 'failed', `closed ${code} before welcome`)
    else if (states[index] === 'ready' && !reported) closedEarly[code] = (closedEarly[code] ?? 0) + 1
  })
  socket.on('error', (error: Error & { code?: string }) => {
    if (states[index] === 'connecting') {
      clearTimeout(timer)
      settle(index, 'failed', error.code ?? error.message)
    }
  })
}

function connectMore() {
  while (connecting < connectingMax && next < viewports.length) {
    connect(next)
    next += 1
  }
}

if (viewports.length === 0) port.postMessage({ type: 'ready', ready: 0, failed: 0, failures })
else connectMore()

port.on('message', (message: { type: string }) => {
  if (message.type === 'stats') {
    port.postMessage({ type: 'stats', events: eventsReceived, closedEarly } satisfies FeedClientsStats)
    return
  }
  if (message.type !== 'report') return
  reported = true
  port.postMessage({
    type: 'report',
    clients: states.map((state, index) => ({
      ready: state === 'ready',
      arrivals: [...arrivals[index]!.entries()],
    })),
    closedEarly,
  } satisfies FeedClientsReport)
  for (const socket of sockets) socket?.terminate()
  setTimeout(() => process.exit(0), 100)
})
