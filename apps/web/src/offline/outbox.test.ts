import { describe, expect, it } from 'vitest'
import { changeLanded } from '../api/outbox'
import {
  isTransient,
  MemoryOutboxStore,
  Outbox,
  OutboxFullError,
  type OutboxItem,
  outboxItemsMax,
  retryDelayMaxMs,
  retryDelayMs,
  type SendResult,
} from './outbox'

const member = 'a0000000-0000-4000-8000-000000000001'
const someoneElse = 'a0000000-0000-4000-8000-000000000002'
let keys = 0
const key = () => `00000000-0000-4000-8000-${String(++keys).padStart(12, '0')}`

function post(text: string, userId = member) {
  return {
    id: key(),
    userId,
    kind: 'post' as const,
    path: '/api/entities/e/posts',
    body: { body: text },
    entityId: 'e',
    postId: null,
  }
}

/** A sender that answers from a script, and records what it was asked to send (the key and the text). */
function scripted(answers: Record<string, SendResult['kind']>, fallback: SendResult['kind'] = 'sent') {
  const sent: { id: string; text: string }[] = []
  const send = async (item: OutboxItem): Promise<SendResult> => {
    const text = String(item.body.body)
    sent.push({ id: item.id, text })
    const answer = answers[text] ?? fallback
    if (answer === 'sent') return { kind: 'sent', value: { id: `created-${item.id}` } }
    if (answer === 'refused')
      return { kind: 'refused', failure: { status: 404, code: 'not_found', detail: 'gone' } }
    return { kind: 'unreachable' }
  }
  return { send, sent }
}

describe('the offline queue', () => {
  it('sends oldest first, each once with its own key, and empties', async () => {
    const outbox = new Outbox(new MemoryOutboxStore())
    const first = await outbox.enqueue(post('uno'))
    const second = await outbox.enqueue(post('due'))
    const third = await outbox.enqueue(post('tre'))
    const { send, sent } = scripted({})
    const landed: unknown[] = []
    const outcome = await outbox.flush(member, send, (_item, value) => landed.push(value))
    expect(outcome).toEqual({ sent: 3, refused: 0, unreachable: false })
    expect(sent).toEqual([
      { id: first.id, text: 'uno' },
      { id: second.id, text: 'due' },
      { id: third.id, text: 'tre' },
    ])
    expect(landed).toHaveLength(3)
    expect(outbox.list()).toEqual([])
    // Nothing left: a second flush sends nothing again.
    await outbox.flush(member, send)
    expect(sent).toHaveLength(3)
  })

  it('survives a new page: what was queued is read back from the store, in order', async () => {
    const store = new MemoryOutboxStore()
    const before = new Outbox(store)
    await before.enqueue(post('prima'))
    await before.enqueue(post('dopo'))
    const after = new Outbox(store)
    await after.load()
    expect(after.list().map((item) => item.body.body)).toEqual(['prima', 'dopo'])
    const { send, sent } = scripted({})
    await after.flush(member, send)
    expect(sent.map((s) => s.text)).toEqual(['prima', 'dopo'])
    expect(await store.all()).toEqual([])
  })

  it('stops at an unreachable API, keeping the order and counting the attempt for the backoff', async () => {
    const outbox = new Outbox(new MemoryOutboxStore())
    await outbox.enqueue(post('uno'))
    await outbox.enqueue(post('due'))
    const down = scripted({}, 'unreachable')
    expect(await outbox.flush(member, down.send)).toEqual({ sent: 0, refused: 0, unreachable: true })
    expect(down.sent.map((s) => s.text)).toEqual(['uno'])
    expect(outbox.attempts(member)).toBe(1)
    await outbox.flush(member, down.send)
    expect(outbox.attempts(member)).toBe(2)
    const up = scripted({})
    await outbox.flush(member, up.send)
    expect(up.sent.map((s) => s.text)).toEqual(['uno', 'due'])
    // The retries of one item carry one key: the API answers them once.
    expect(new Set([...down.sent, ...up.sent].filter((s) => s.text === 'uno').map((s) => s.id)).size).toBe(1)
  })

  it('treats a sender that throws as unreachable, never as sent', async () => {
    const outbox = new Outbox(new MemoryOutboxStore())
    await outbox.enqueue(post('uno'))
    const outcome = await outbox.flush(member, async () => {
      throw new TypeError('Failed to fetch')
    })
    expect(outcome.unreachable).toBe(true)
    expect(outbox.list()).toHaveLength(1)
  })

  it('keeps a refused item as failed with its reason, goes on with the next, and never drops it', async () => {
    const outbox = new Outbox(new MemoryOutboxStore())
    await outbox.enqueue(post('rifiutato'))
    await outbox.enqueue(post('accettato'))
    const { send, sent } = scripted({ rifiutato: 'refused' })
    expect(await outbox.flush(member, send)).toEqual({ sent: 1, refused: 1, unreachable: false })
    expect(sent.map((s) => s.text)).toEqual(['rifiutato', 'accettato'])
    const [failed] = outbox.list()
    expect(failed).toMatchObject({
      state: 'failed',
      failure: { status: 404, code: 'not_found' },
      body: { body: 'rifiutato' },
    })
    // A failed item waits for the person: flushes leave it alone.
    await outbox.flush(member, send)
    expect(sent).toHaveLength(2)
    expect(outbox.list()).toHaveLength(1)
  })

  it('lets the person retry, edit or discard a failed item', async () => {
    const outbox = new Outbox(new MemoryOutboxStore())
    const item = await outbox.enqueue(post('testo'))
    await outbox.flush(member, scripted({}, 'refused').send)
    await outbox.edit(item.id, { body: 'testo corretto' })
    expect(outbox.get(item.id)).toMatchObject({ state: 'waiting', failure: null })
    const { send, sent } = scripted({})
    await outbox.flush(member, send)
    expect(sent).toEqual([{ id: item.id, text: 'testo corretto' }])

    const other = await outbox.enqueue(post('un altro'))
    await outbox.flush(member, scripted({}, 'refused').send)
    await outbox.retry(other.id)
    expect(outbox.get(other.id)?.state).toBe('waiting')
    await outbox.discard(other.id)
    expect(outbox.list()).toEqual([])
  })

  it('sends only the signed-in member’s items', async () => {
    const outbox = new Outbox(new MemoryOutboxStore())
    await outbox.enqueue(post('mio'))
    await outbox.enqueue(post('suo', someoneElse))
    const { send, sent } = scripted({})
    await outbox.flush(member, send)
    expect(sent.map((s) => s.text)).toEqual(['mio'])
    expect(outbox.list().map((item) => item.userId)).toEqual([someoneElse])
  })

  it('runs one flush at a time: two asked at once send each item once', async () => {
    const outbox = new Outbox(new MemoryOutboxStore())
    await outbox.enqueue(post('uno'))
    await outbox.enqueue(post('due'))
    const { send, sent } = scripted({})
    await Promise.all([outbox.flush(member, send), outbox.flush(member, send)])
    expect(sent.map((s) => s.text)).toEqual(['uno', 'due'])
  })

  it('does not send an item discarded while an earlier one was on its way', async () => {
    const outbox = new Outbox(new MemoryOutboxStore())
    await outbox.enqueue(post('uno'))
    const second = await outbox.enqueue(post('due'))
    const sent: string[] = []
    await outbox.flush(member, async (item) => {
      sent.push(String(item.body.body))
      if (item.body.body === 'uno') await outbox.discard(second.id)
      return { kind: 'sent', value: {} }
    })
    expect(sent).toEqual(['uno'])
  })

  it('holds at most outboxItemsMax items, refusing more on the spot', async () => {
    const outbox = new Outbox(new MemoryOutboxStore())
    for (let i = 0; i < outboxItemsMax; i++) await outbox.enqueue(post(`n${i}`))
    await expect(outbox.enqueue(post('uno di troppo'))).rejects.toBeInstanceOf(OutboxFullError)
    expect(outbox.list()).toHaveLength(outboxItemsMax)
  })

  it('queues a key once: the same write enqueued twice is one item', async () => {
    const outbox = new Outbox(new MemoryOutboxStore())
    const write = post('una volta')
    await outbox.enqueue(write)
    await outbox.enqueue(write)
    expect(outbox.list()).toHaveLength(1)
  })
})

describe('a queued change to a thing', () => {
  it('is sent again on top of the version now stored when the person keeps theirs', async () => {
    const outbox = new Outbox(new MemoryOutboxStore())
    const change = await outbox.enqueue({
      id: key(),
      userId: member,
      kind: 'entity-edit',
      path: '/api/entities/e',
      method: 'PATCH',
      ifMatch: 1,
      body: { title: 'Mio' },
      entityId: 'e',
      postId: null,
    })
    await outbox.flush(member, async () => ({
      kind: 'refused',
      failure: { status: 412, code: 'version_mismatch', detail: 'stale' },
    }))
    expect(outbox.get(change.id)).toMatchObject({ state: 'failed', ifMatch: 1 })
    await outbox.rebase(change.id, 2)
    const asked: (number | undefined)[] = []
    await outbox.flush(member, async (item) => {
      asked.push(item.ifMatch)
      return { kind: 'sent', value: {} }
    })
    expect(asked).toEqual([2])
  })

  it('counts as landed after a 412 only when the thing already says what it sets', () => {
    expect(changeLanded({ title: 'Mio', tags: ['x'] }, { title: 'Mio', description: 'd' })).toBe(true)
    expect(changeLanded({ title: 'Mio' }, { title: 'Loro' })).toBe(false)
    expect(
      changeLanded({ title: 'Mio', description: 'nuova' }, { title: 'Mio', description: 'vecchia' }),
    ).toBe(false)
  })
})

describe('retries', () => {
  it('wait longer after each unreachable attempt, up to a ceiling', () => {
    expect(retryDelayMs(0)).toBe(0)
    const delays = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 50].map(retryDelayMs)
    for (let i = 1; i < delays.length; i++) expect(delays[i]).toBeGreaterThanOrEqual(delays[i - 1]!)
    expect(delays[1]).toBeGreaterThan(delays[0]!)
    expect(delays.at(-1)).toBe(retryDelayMaxMs)
  })

  it('tell a refusal from a failure to reach the API', () => {
    for (const status of [0, 408, 429, 500, 502, 503]) expect(isTransient(status)).toBe(true)
    for (const status of [400, 401, 403, 404, 409, 412, 413, 422]) expect(isTransient(status)).toBe(false)
  })
})
