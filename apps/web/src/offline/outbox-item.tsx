import { useQuery } from '@tanstack/react-query'
import { type FormEvent, useState } from 'react'
import { ApiProblem } from '../api/problem'
import { problemMessage } from '../components/messages'
import { useMessages } from '../i18n/screen-messages'
import { outboxMessages } from './messages'
import type { OutboxItem } from './outbox'
import { useOutbox } from './outbox-context'

/** The words of a queued item: a thing's title and description, a post's title and text, a comment's text. */
export function itemText(item: OutboxItem): { title: string; text: string } {
  const body = item.body as { title?: unknown; body?: unknown; description?: unknown }
  const title = typeof body.title === 'string' ? body.title : ''
  const text = item.kind === 'entity' || item.kind === 'entity-edit' ? body.description : body.body
  return { title, text: typeof text === 'string' ? text : '' }
}

/** The body with new words, in the field each kind keeps them in. */
function withText(item: OutboxItem, title: string, text: string): Record<string, unknown> {
  if (item.kind === 'entity' || item.kind === 'entity-edit') return { ...item.body, title, description: text }
  if (item.kind === 'post') {
    const { title: _old, ...rest } = item.body
    return title.trim() ? { ...rest, title: title.trim(), body: text } : { ...rest, body: text }
  }
  return { ...item.body, body: text }
}

/**
 * One queued creation, where the person meets it (the queue panel, the thread, the list of things): its words, a
 * "waiting to send" or "not sent" badge with the API's reason worded, and what they can do with it: try again, edit,
 * copy its text, discard. Nothing leaves the queue unless sent or discarded by them.
 */
export function OutboxItemView({ item, onOpen }: { item: OutboxItem; onOpen?: () => void }) {
  const runtime = useOutbox()
  const i18n = useMessages(outboxMessages)
  const { m } = i18n
  const [editing, setEditing] = useState(false)
  const [copied, setCopied] = useState(false)
  const words = itemText(item)
  const [title, setTitle] = useState(words.title)
  const [text, setText] = useState(words.text)
  if (!runtime) return null
  const { outbox } = runtime
  const mine = runtime.userId === item.userId
  const reason = item.failure
    ? problemMessage(
        i18n,
        new ApiProblem({
          type: 'about:blank',
          title: item.failure.code,
          status: item.failure.status,
          code: item.failure.code,
          detail: item.failure.detail,
        }),
      )
    : null
  const save = (event: FormEvent) => {
    event.preventDefault()
    void outbox.edit(item.id, withText(item, title, text)).then(() => {
      setEditing(false)
      runtime.flush()
    })
  }
  const copy = () => {
    const all = [words.title, words.text].filter(Boolean).join('\n\n')
    void navigator.clipboard?.writeText(all).then(
      () => setCopied(true),
      () => undefined,
    )
  }
  const discard = () => {
    if (window.confirm(m('confirmDiscard'))) void outbox.discard(item.id)
  }
  const titleId = `outbox-title-${item.id}`
  const textId = `outbox-text-${item.id}`
  return (
    <article
      className={`outbox-item outbox-${item.state}`}
      data-testid="outbox-item"
      data-outbox-kind={item.kind}
      data-outbox-state={item.state}
      aria-label={m(`kind.${item.kind}`)}
    >
      <p className="outbox-meta">
        <span className={`outbox-badge outbox-badge-${item.state}`} data-testid="outbox-badge">
          {item.state === 'failed' ? m('badge.failed') : m('badge.waiting')}
        </span>{' '}
        <span>{m(`kind.${item.kind}`)}</span> ·{' '}
        <span>{m('item.queuedAt', { date: i18n.date(new Date(item.queuedAt).toISOString()) })}</span>
      </p>
      {editing ? (
        <form className="outbox-edit" onSubmit={save}>
          {item.kind !== 'comment' && (
            <div className="field">
              <label htmlFor={titleId}>{m('edit.title')}</label>
              <input
                id={titleId}
                className="outbox-field"
                value={title}
                onChange={(event) => setTitle(event.target.value)}
              />
            </div>
          )}
          <div className="field">
            <label htmlFor={textId}>{m('edit.text')}</label>
            <textarea
              id={textId}
              className="outbox-field"
              rows={3}
              value={text}
              onChange={(event) => setText(event.target.value)}
              data-testid="outbox-edit-text"
            />
          </div>
          <div className="outbox-actions">
            <button type="submit" data-testid="outbox-save">
              {m('action.save')}
            </button>
            <button type="button" onClick={() => setEditing(false)}>
              {m('action.cancelEdit')}
            </button>
          </div>
        </form>
      ) : (
        <>
          {words.title && <h4 className="outbox-item-title">{words.title}</h4>}
          {words.text && (
            <p className="outbox-item-text" data-testid="outbox-text">
              {words.text}
            </p>
          )}
        </>
      )}
      {reason && (
        <p className="outbox-reason" role="alert" data-testid="outbox-reason">
          {m('item.refused', { reason })}
        </p>
      )}
      {item.kind === 'entity-edit' && item.failure?.status === 412 && mine && !editing && (
        <Conflict item={item} />
      )}
      {!mine && <p className="hint">{runtime.userId ? m('item.otherMember') : m('item.logIn')}</p>}
      {!editing && (
        <div className="outbox-actions">
          {onOpen && (
            <button type="button" onClick={onOpen} data-testid="outbox-open">
              {m('action.open')}
            </button>
          )}
          {item.state === 'failed' && mine && (
            <button
              type="button"
              onClick={() => void outbox.retry(item.id).then(runtime.flush)}
              data-testid="outbox-retry"
            >
              {m('action.retry')}
            </button>
          )}
          {mine && (
            <button type="button" onClick={() => setEditing(true)} data-testid="outbox-edit">
              {m('action.edit')}
            </button>
          )}
          <button type="button" onClick={copy} data-testid="outbox-copy">
            {copied ? m('action.copied') : m('action.copy')}
          </button>
          <button type="button" onClick={discard} data-testid="outbox-discard">
            {m('action.discard')}
          </button>
        </div>
      )}
    </article>
  )
}

/**
 * A change someone else overtook (412): the version now on the map and the person's, side by side, to choose which
 * stays. Keeping theirs discards the change; keeping one's own sends it again on top of the version now stored.
 */
function Conflict({ item }: { item: OutboxItem }) {
  const runtime = useOutbox()
  const { m } = useMessages(outboxMessages)
  const entityId = item.entityId ?? ''
  const current = useQuery({
    queryKey: ['outbox', 'conflict', item.id, item.failure?.detail ?? ''],
    queryFn: () => (runtime ? runtime.api.getEntity(entityId) : Promise.reject(new Error('no queue'))),
    enabled: !!runtime && !!entityId,
  })
  if (!runtime) return null
  const mine = itemText(item)
  const theirs = current.data?.value.properties
  return (
    <div className="outbox-conflict" data-testid="outbox-conflict">
      <p>{m('conflict.title')}</p>
      {theirs ? (
        <div className="outbox-versions">
          <section aria-label={m('conflict.theirs')} data-testid="conflict-theirs">
            <h5>{m('conflict.theirs')}</h5>
            <p className="outbox-item-title">{theirs.title}</p>
            <p className="outbox-item-text">{theirs.description}</p>
          </section>
          <section aria-label={m('conflict.yours')} data-testid="conflict-yours">
            <h5>{m('conflict.yours')}</h5>
            <p className="outbox-item-title">{mine.title}</p>
            <p className="outbox-item-text">{mine.text}</p>
          </section>
        </div>
      ) : (
        <p className="hint">{m('conflict.loading')}</p>
      )}
      <div className="outbox-actions">
        <button
          type="button"
          disabled={!current.data}
          onClick={() => {
            if (current.data) void runtime.outbox.rebase(item.id, current.data.version).then(runtime.flush)
          }}
          data-testid="conflict-keep-mine"
        >
          {m('conflict.keepMine')}
        </button>
        <button
          type="button"
          onClick={() => void runtime.outbox.discard(item.id)}
          data-testid="conflict-keep-theirs"
        >
          {m('conflict.keepTheirs')}
        </button>
      </div>
    </div>
  )
}

/** The queued posts of a thing, or the queued comments of a post, in place in the thread. */
export function PendingInThread({ entityId, postId }: { entityId: string; postId: string | null }) {
  const runtime = useOutbox()
  if (!runtime) return null
  const pending = runtime.items.filter((item) =>
    postId === null
      ? item.kind === 'post' && item.entityId === entityId
      : item.kind === 'comment' && item.postId === postId,
  )
  if (pending.length === 0) return null
  return (
    <ol className="outbox-pending" data-testid={postId ? 'pending-comments' : 'pending-posts'}>
      {pending.map((item) => (
        <li key={item.id}>
          <OutboxItemView item={item} />
        </li>
      ))}
    </ol>
  )
}

/** The things waiting on this device, above the list of things in view: each can be opened or discarded. */
export function PendingThings() {
  const runtime = useOutbox()
  const { m } = useMessages(outboxMessages)
  if (!runtime) return null
  const pending = runtime.items.filter((item) => item.kind === 'entity' || item.kind === 'entity-edit')
  if (pending.length === 0) return null
  return (
    <section className="outbox-things" aria-label={m('panel.title')} data-testid="pending-things">
      <ul>
        {pending.map((item) => (
          <li key={item.id}>
            <OutboxItemView item={item} onOpen={() => runtime.open(item.id)} />
          </li>
        ))}
      </ul>
    </section>
  )
}
