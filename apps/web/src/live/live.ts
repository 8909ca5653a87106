import type {
  RealtimeClientMessage,
  RealtimeEvent,
  RealtimeServerMessage,
  RealtimeSubscription,
} from '@quartiere/contracts'

/** The close codes of packages/contracts' realtime feed that this client treats specially. */
const closeUnauthorized = 4001
/** Reconnect backoff: doubling from the first delay up to the last, with jitter so tabs do not stampede. */
export const reconnectDelayMinMs = 500
export const reconnectDelayMaxMs = 30_000
/** Keep-alive when the server does not say (its `welcome` carries `heartbeatMs`). */
const heartbeatDefaultMs = 25_000

export type LiveStatus = 'connecting' | 'live' | 'offline'

export interface LiveHandlers {
  onEvent(event: RealtimeEvent): void
  /** The server could not replay what was missed (too old): reload what is shown. */
  onReset(): void
  onStatus(status: LiveStatus): void
}

export interface LiveOptions {
  url: string
  token(): Promise<string | null>
  /** Called after the server refused the token (close 4001): refresh it before the next attempt. */
  refreshToken(): Promise<unknown>
  handlers: LiveHandlers
}

/** The delay before reconnect attempt `attempt` (0-based): exponential, capped, with ±25 % jitter. */
export function reconnectDelayMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(reconnectDelayMaxMs, reconnectDelayMinMs * 2 ** Math.min(attempt, 16))
  return Math.round(base * (0.75 + random() * 0.5))
}

/**
 * One websocket to `/ws` that resumes silently: it remembers the last `seq` it saw and sends it back in the
 * hello of the next connection, with the current viewport subscription, so nothing is missed or doubled across
 * a reconnect. The viewport is replaced in place (same subscription id) as the map moves.
 */
export class LiveConnection {
  private socket: WebSocket | null = null
  private lastSeq: number | undefined
  /** By id: the map's viewport, the open thing, the campaigns the wallet shows. */
  private readonly subscriptions = new Map<string, RealtimeSubscription>()
  private attempt = 0
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined
  private heartbeatTimer: ReturnType<typeof setInterval> | undefined
  private stopped = false

  constructor(private readonly options: LiveOptions) {}

  start() {
    this.stopped = false
    void this.open()
  }

  stop() {
    this.stopped = true
    clearTimeout(this.reconnectTimer)
    clearInterval(this.heartbeatTimer)
    this.socket?.close(1000)
    this.socket = null
  }

  /** After a login or logout: the identity is fixed in hello, so start a new connection (resuming). */
  restart() {
    this.stop()
    this.attempt = 0
    this.start()
  }

  setViewport(subscription: RealtimeSubscription) {
    this.setSubscription(subscription)
  }

  /** Adds or replaces (same id) a subscription; it is sent again in the hello of every reconnect. */
  setSubscription(subscription: RealtimeSubscription) {
    const current = this.subscriptions.get(subscription.id)
    if (current && JSON.stringify(current) === JSON.stringify(subscription)) return
    this.subscriptions.set(subscription.id, subscription)
    this.send({ type: 'subscribe', ...subscription })
  }

  removeSubscription(id: string) {
    if (!this.subscriptions.delete(id)) return
    this.send({ type: 'unsubscribe', id })
  }

  private send(message: RealtimeClientMessage) {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message))
  }

  private async open() {
    if (this.stopped) return
    this.options.handlers.onStatus('connecting')
    const token = await this.options.token().catch(() => null)
    if (this.stopped) return
    const socket = new WebSocket(this.options.url)
    this.socket = socket
    socket.addEventListener('open', () => {
      this.send({
        type: 'hello',
        ...(token ? { token } : {}),
        ...(this.lastSeq !== undefined ? { resumeFrom: this.lastSeq } : {}),
        ...(this.subscriptions.size ? { subscriptions: [...this.subscriptions.values()] } : {}),
      })
    })
    socket.addEventListener('message', (message) => {
      if (typeof message.data === 'string') this.receive(message.data)
    })
    socket.addEventListener('close', (event) => {
      if (this.socket !== socket) return
      clearInterval(this.heartbeatTimer)
      this.socket = null
      if (this.stopped) return
      this.options.handlers.onStatus('offline')
      const refresh = event.code === closeUnauthorized ? this.options.refreshToken() : Promise.resolve()
      void refresh
        .catch(() => undefined)
        .then(() => {
          this.reconnectTimer = setTimeout(() => void this.open(), reconnectDelayMs(this.attempt))
          this.attempt += 1
        })
    })
  }

  private receive(text: string) {
    let message: RealtimeServerMessage
    try {
      message = JSON.parse(text) as RealtimeServerMessage
    } catch {
      return
    }
    switch (message.type) {
      case 'welcome': {
        this.attempt = 0
        if (this.lastSeq === undefined) this.lastSeq = message.seq
        this.options.handlers.onStatus('live')
        const heartbeatMs = message.limits.heartbeatMs > 0 ? message.limits.heartbeatMs : heartbeatDefaultMs
        clearInterval(this.heartbeatTimer)
        this.heartbeatTimer = setInterval(() => this.send({ type: 'ping' }), heartbeatMs)
        return
      }
      case 'event':
        if (this.lastSeq !== undefined && message.seq <= this.lastSeq) return
        this.lastSeq = message.seq
        this.options.handlers.onEvent(message)
        return
      case 'reset':
        this.lastSeq = message.seq
        this.options.handlers.onReset()
        return
      case 'live':
      case 'subscribed':
      case 'unsubscribed':
      case 'pong':
      case 'error':
        // Errors concern one message (a viewport too large, say); the next viewport replaces it.
        return
      default: {
        const unknown: never = message
        return unknown
      }
    }
  }
}
