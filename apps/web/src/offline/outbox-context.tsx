import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useRef,
  useState,
  useSyncExternalStore,
} from 'react'
import { type ApiClient, newIdempotencyKey } from '../api/client'
import { type Created, changeLanded, isNetworkFailure, sendWrite } from '../api/outbox'
import { ApiProblem } from '../api/problem'
import { useMessages } from '../i18n/screen-messages'
import type { SessionStore } from '../session/session'
import { afterMark } from '../state/after-mark'
import { IdbOutboxStore, indexedDbAvailable } from './idb-store'
import { outboxMessages } from './messages'
import {
  isTransient,
  MemoryOutboxStore,
  type NewOutboxItem,
  Outbox,
  OutboxFullError,
  type OutboxItem,
  outboxItemsMax,
  retryDelayMs,
  type SendResult,
} from './outbox'

/** A creation to send now, or to queue when the connection is down. */
export type Write = Omit<NewOutboxItem, 'id' | 'userId'>

export type WriteOutcome = { sent: Created } | { queued: OutboxItem }

/** What the page does with a queued write that landed (the API's answer), to put it in place. */
export type Landed = (item: OutboxItem, created: Created) => void

export interface OutboxRuntime {
  /** Set by the page (`useOutboxLanded`): told of each queued write that landed. */
  landed: { current: Landed }
  api: ApiClient
  outbox: Outbox
  /** Every item on this device, oldest first. */
  items: OutboxItem[]
  online: boolean
  userId: string | null
  /** Sends the signed-in member's waiting items now. */
  flush(): void
  /**
   * Sends a creation with a fresh Idempotency-Key, or queues it (offline, the API out of reach, or older writes
   * still waiting: they go first). A refusal of the API is thrown, as a direct call's.
   */
  submit(write: Write): Promise<WriteOutcome>
  /** Which panel item to show, when a badge asks to open one. */
  opened: string | null
  open(id: string | null): void
}

const OutboxContext = createContext<OutboxRuntime | null>(null)

/** A failure already worded for the person: shown as its message alone (forms show `String(failure)`). */
export class WordedError extends Error {
  override toString() {
    return this.message
  }
}

/** On a page that is not the map, the queue is read this long after start at the latest. */
const outboxStartDelayMaxMs = 3_000

export function useOutbox(): OutboxRuntime | null {
  return useContext(OutboxContext)
}

/** The page's handler for queued writes that land (the latest given is the one called). */
export function useOutboxLanded(landed: Landed) {
  const runtime = useOutbox()
  if (runtime) runtime.landed.current = landed
}

function subscribeOnline(listener: () => void) {
  window.addEventListener('online', listener)
  window.addEventListener('offline', listener)
  return () => {
    window.removeEventListener('online', listener)
    window.removeEventListener('offline', listener)
  }
}

async function sendQueued(api: ApiClient, item: OutboxItem): Promise<SendResult> {
  try {
    return { kind: 'sent', value: await sendWrite(api, item) }
  } catch (failure) {
    if (
      failure instanceof ApiProblem &&
      failure.status === 412 &&
      item.kind === 'entity-edit' &&
      item.entityId
    ) {
      // Sent before, its answer lost? Then it is done; otherwise someone else changed the thing meanwhile.
      const current = await api.getEntity(item.entityId).catch(() => null)
      if (current && changeLanded(item.body, current.value.properties))
        return { kind: 'sent', value: current }
    }
    if (failure instanceof ApiProblem && !isTransient(failure.status)) {
      return {
        kind: 'refused',
        failure: { status: failure.status, code: failure.code, detail: failure.detail },
      }
    }
    return { kind: 'unreachable' }
  }
}

/**
 * The page's queue: loaded at start and sent for the signed-in member at start, when the browser says it is back
 * online, when they log in, and after an unreachable API with a growing wait (`retryDelayMs`). `onSent` hears each
 * item that landed, with the API's answer, to put it in place.
 */
export function OutboxProvider({
  api,
  session,
  children,
}: {
  api: ApiClient
  session: SessionStore
  children: ReactNode
}) {
  const userId = useSyncExternalStore(session.subscribe, session.user)?.id ?? null
  const [outbox] = useState(
    () => new Outbox(indexedDbAvailable() ? new IdbOutboxStore() : new MemoryOutboxStore()),
  )
  const items = useSyncExternalStore(outbox.subscribe, outbox.list)
  const online = useSyncExternalStore(subscribeOnline, () => navigator.onLine)
  const [opened, open] = useState<string | null>(null)
  const { m } = useMessages(outboxMessages)
  const onSentRef = useRef<Landed>(() => undefined)
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null)

  const flush = useCallback(() => {
    if (timer.current) clearTimeout(timer.current)
    timer.current = null
    if (!userId) return
    void outbox
      .flush(
        userId,
        (item) => sendQueued(api, item),
        (item, value) => onSentRef.current(item, value as Created),
      )
      .then((outcome) => {
        if (!outcome.unreachable) return
        if (timer.current) clearTimeout(timer.current)
        timer.current = setTimeout(flush, retryDelayMs(outbox.attempts(userId)))
      })
  }, [api, outbox, userId])

  useEffect(() => {
    // Reading the device's queue (IndexedDB) waits for the map's first things: a write made before then waits
    // for the read itself (enqueue and flush load first), and nothing queued is lost by starting later.
    const cancel = afterMark('quartiere:first-features', outboxStartDelayMaxMs, () => {
      void outbox.load().then(flush)
    })
    window.addEventListener('online', flush)
    return () => {
      cancel()
      window.removeEventListener('online', flush)
      if (timer.current) clearTimeout(timer.current)
    }
  }, [outbox, flush])

  const submit = useCallback(
    async (write: Write): Promise<WriteOutcome> => {
      if (!userId) throw new Error('log in first')
      const item = { ...write, id: newIdempotencyKey(), userId }
      const queue = async () => {
        try {
          const queued = await outbox.enqueue(item)
          flush()
          return { queued }
        } catch (failure) {
          if (failure instanceof OutboxFullError) throw new WordedError(m('full', { max: outboxItemsMax }))
          throw failure
        }
      }
      await outbox.load()
      if (!navigator.onLine || outbox.waiting(userId).length > 0) return queue()
      try {
        return { sent: await sendWrite(api, item) }
      } catch (failure) {
        // It may have landed before the connection broke: the queue sends it again with the same key.
        if (isNetworkFailure(failure)) return queue()
        throw failure
      }
    },
    [api, outbox, userId, flush, m],
  )

  return (
    <OutboxContext.Provider
      value={{ api, outbox, items, online, userId, flush, submit, opened, open, landed: onSentRef }}
    >
      {children}
    </OutboxContext.Provider>
  )
}
