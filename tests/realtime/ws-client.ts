import type { RealtimeServerMessage } from '@quartiere/contracts'
import WebSocket from 'ws'

/** How long a test waits for a message before it fails (no timing assertion: a ceiling against hangs). */
export const waitMsMax = 10_000

/** A websocket client that keeps every message it got, for tests to wait on and inspect. */
export interface FeedClient {
  socket: WebSocket
  messages: RealtimeServerMessage[]
  send(message: unknown): void
  sendRaw(data: string | Buffer): void
  /** Waits for the next message (after those already taken) that satisfies `predicate`. */
  next<T extends RealtimeServerMessage = RealtimeServerMessage>(
    predicate?: (message: RealtimeServerMessage) => boolean,
  ): Promise<T>
  events(): Extract<RealtimeServerMessage, { type: 'event' }>[]
  closed: Promise<{ code: number; reason: string }>
  close(): Promise<void>
}

export async function connectFeed(url: string, options: WebSocket.ClientOptions = {}): Promise<FeedClient> {
  const socket = new WebSocket(url, options)
  const messages: RealtimeServerMessage[] = []
  let taken = 0
  const waiters = new Set<() => void>()
  socket.on('message', (data) => {
    messages.push(JSON.parse(data.toString()) as RealtimeServerMessage)
    for (const waiter of [...waiters]) waiter()
  })
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    socket.on('close', (code, reason) => {
      resolve({ code, reason: reason.toString() })
      for (const waiter of [...waiters]) waiter()
    })
  })
  socket.on('error', () => {})
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve())
    socket.once('error', reject)
  })
  return {
    socket,
    messages,
    send: (message) => socket.send(JSON.stringify(message)),
    sendRaw: (data) => socket.send(data),
    next(predicate = () => true) {
      return new Promise((resolve, reject) => {
        const check = () => {
          while (taken < messages.length) {
            const message = messages[taken]!
            taken += 1
            if (predicate(message)) {
              cleanup()
              resolve(message as never)
              return
            }
          }
          if (socket.readyState === WebSocket.CLOSED) {
            cleanup()
            reject(new Error(`socket closed while waiting; got ${JSON.stringify(messages.slice(-5))}`))
          }
        }
        const timer = setTimeout(() => {
          cleanup()
          reject(
            new Error(
              `no matching message within ${waitMsMax} ms; got ${JSON.stringify(messages.slice(-5))}`,
            ),
          )
        }, waitMsMax)
        const cleanup = () => {
          clearTimeout(timer)
          waiters.delete(check)
        }
        waiters.add(check)
        check()
      })
    },
    events: () =>
      messages.filter((m): m is Extract<RealtimeServerMessage, { type: 'event' }> => m.type === 'event'),
    closed,
    async close() {
      if (socket.readyState === WebSocket.CLOSED) return
      socket.close()
      await closed
    },
  }
}

/**
 * The close the server sent, or a failure after `ms`: a protection that never closes the socket fails the test
 * instead of hanging it.
 */
export function closedWithin(client: FeedClient, ms = waitMsMax): Promise<{ code: number; reason: string }> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the server did not close the socket within ${ms} ms`)), ms)
  })
  return Promise.race([client.closed, timeout]).finally(() => clearTimeout(timer))
}

/** Says hello and waits for welcome (and, when resuming, for `live` or `reset`). */
export async function helloFeed(
  client: FeedClient,
  hello: Record<string, unknown> = {},
): Promise<Extract<RealtimeServerMessage, { type: 'welcome' }>> {
  client.send({ type: 'hello', ...hello })
  return client.next((m) => m.type === 'welcome')
}

export async function subscribeFeed(client: FeedClient, subscription: Record<string, unknown>) {
  client.send({ type: 'subscribe', ...subscription })
  const answer = await client.next((m) => m.type === 'subscribed' || m.type === 'error')
  if (answer.type !== 'subscribed') throw new Error(`subscribe refused: ${JSON.stringify(answer)}`)
}

/** A marker event every client should get: waits until it arrives, so everything before it has too. */
export const turinBbox: [number, number, number, number] = [7.6, 45.0, 7.75, 45.12]
