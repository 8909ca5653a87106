import type { ModerationAction, QueueItem, User } from '@quartiere/contracts'
import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query'
import { type FormEvent, useId, useState } from 'react'
import type { ApiClient } from '../../api/client'
import {
  dismissReport,
  type ModerationLogFilters,
  type ModerationTarget,
  moderationLog,
  moderationQueue,
  setHidden,
} from '../../api/moderation'
import { type ScreenI18n, useMessages } from '../../i18n/screen-messages'
import type { PageProps } from '../../pages'
import { queryKeys } from '../../queries/query-keys'
import { FormMessage, type FormNote } from '../form-message'
import { messageOf } from '../messages'
import { TextField } from '../text-field'
import { type ModerationMessageKey, moderationMessages } from './messages'

type Say = ScreenI18n<ModerationMessageKey>
type Note = (i18n: Say) => FormNote

const targetKey: Record<ModerationTarget, ModerationMessageKey> = {
  entity: 'targetEntity',
  post: 'targetPost',
  comment: 'targetComment',
  media: 'targetMedia',
}
const actionKey: Record<ModerationAction['action'], ModerationMessageKey> = {
  hide: 'actionHide',
  restore: 'actionRestore',
  dismiss: 'actionDismiss',
}
const actions = ['hide', 'restore', 'dismiss'] as const
const targets = ['entity', 'post', 'comment', 'media'] as const

/**
 * The moderators' page: the reports waiting, longest first, each with what was reported, who reported it and
 * why; hide or restore it, or dismiss a report, always with a reason; and the audit log, filtered. Offered to
 * those the API says are moderators or admins; the API refuses everyone else (403) whatever the page shows.
 */
export function ModerationPage({ api, user, showOnMap }: PageProps) {
  const { m } = useMessages(moderationMessages)
  if (!user) return null
  return (
    <main className="moderation" aria-labelledby="moderation-title">
      <h1 id="moderation-title">{m('title')}</h1>
      <Queue api={api} showOnMap={showOnMap} />
      <AuditLog api={api} user={user} showOnMap={showOnMap} />
    </main>
  )
}

function Queue({ api, showOnMap }: { api: ApiClient; showOnMap(id: string): void }) {
  const i18n = useMessages(moderationMessages)
  const { m } = i18n
  const queue = useInfiniteQuery({
    queryKey: queryKeys.moderation.queue,
    queryFn: ({ pageParam }) => moderationQueue(api, pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  })
  const items = queue.data?.pages.flatMap((page) => page.items) ?? []
  return (
    <section aria-labelledby="moderation-queue-title" data-testid="moderation-queue">
      <h2 id="moderation-queue-title">{m('queue')}</h2>
      <p className="hint">{m('queueHint')}</p>
      <FormMessage message={queue.error ? messageOf(i18n, queue.error) : null} />
      {items.length === 0 ? (
        <p className="empty">{queue.isPending ? m('loading') : m('queueEmpty')}</p>
      ) : (
        <ol className="moderation-queue">
          {items.map((item) => (
            <QueueEntry
              key={`${item.targetType}:${item.targetId}`}
              api={api}
              item={item}
              showOnMap={showOnMap}
            />
          ))}
        </ol>
      )}
      {queue.hasNextPage && (
        <button type="button" onClick={() => void queue.fetchNextPage()}>
          {m('more')}
        </button>
      )}
    </section>
  )
}

function QueueEntry({
  api,
  item,
  showOnMap,
}: {
  api: ApiClient
  item: QueueItem
  showOnMap(id: string): void
}) {
  const i18n = useMessages(moderationMessages)
  const { m } = i18n
  const queryClient = useQueryClient()
  const reasonId = useId()
  const [reason, setReason] = useState('')
  const [busy, setBusy] = useState(false)
  const [note, setNote] = useState<Note | null>(null)
  // The queue and the log are read again after a decision; the thing itself too (hidden or back).
  const act = async (action: () => Promise<unknown>, done: ModerationMessageKey) => {
    if (!reason.trim()) {
      setNote(() => (next: Say) => ({ ok: false, text: next.m('reasonRequired') }))
      document.getElementById(reasonId)?.focus()
      return
    }
    setBusy(true)
    setNote(null)
    try {
      await action()
      setNote(() => (next: Say) => ({ ok: true, text: next.m(done) }))
      setReason('')
    } catch (failure) {
      setNote(() => (next: Say) => ({ ok: false, text: messageOf(next, failure) }))
    } finally {
      setBusy(false)
      await queryClient.invalidateQueries({ queryKey: queryKeys.moderation.all })
      if (item.entityId)
        await queryClient.invalidateQueries({ queryKey: queryKeys.entity.all(item.entityId) })
    }
  }
  const target = { targetType: item.targetType, targetId: item.targetId }
  const date = i18n.date(item.firstReportedAt)
  return (
    <li className="queue-item" data-testid="queue-item" data-target={item.targetId}>
      <h3>
        <span className="hint">{m(targetKey[item.targetType])}: </span>
        <span data-testid="queue-excerpt">{item.excerpt}</span>
        {item.hidden && <span className="badge-hidden"> ({m('hidden')})</span>}
      </h3>
      <p className="hint">
        {item.reportsCount === 1
          ? m('waitingOne', { date })
          : m('waiting', { date, count: i18n.number(item.reportsCount) })}
      </p>
      {item.entityId && (
        <button type="button" className="link" onClick={() => showOnMap(item.entityId as string)}>
          {m('showOnMap')}
        </button>
      )}
      <h4>{m('reports')}</h4>
      <ul className="queue-reports">
        {item.reports.map((report) => {
          const name = report.reporter?.displayName ?? '—'
          return (
            <li key={report.id} data-testid="queue-report">
              <span data-testid="queue-reporter">
                {m('reportBy', {
                  name,
                  reason: m(`reason.${report.reason}` as ModerationMessageKey),
                })}
              </span>
              {report.details && <span className="hint"> “{report.details}”</span>}{' '}
              <time dateTime={report.createdAt} className="hint">
                {i18n.dateTime(report.createdAt)}
              </time>{' '}
              <button
                type="button"
                className="link"
                disabled={busy}
                aria-label={m('dismissNamed', { name })}
                onClick={() => void act(() => dismissReport(api, report.id, reason.trim()), 'dismissedDone')}
                data-testid="queue-dismiss"
              >
                {m('dismiss')}
              </button>
            </li>
          )
        })}
      </ul>
      <div className="field">
        <label htmlFor={reasonId}>{m('reason')}</label>
        <textarea
          id={reasonId}
          className="queue-reason"
          rows={2}
          maxLength={2000}
          required
          value={reason}
          onChange={(event) => setReason(event.target.value)}
          data-testid="queue-reason"
        />
      </div>
      <div className="row">
        {item.hidden ? (
          <button
            type="button"
            disabled={busy}
            onClick={() => void act(() => setHidden(api, target, false, reason.trim()), 'restoredDone')}
            data-testid="queue-restore"
          >
            {m('restore')}
          </button>
        ) : (
          <button
            type="button"
            className="danger"
            disabled={busy}
            onClick={() => void act(() => setHidden(api, target, true, reason.trim()), 'hiddenDone')}
            data-testid="queue-hide"
          >
            {m('hide')}
          </button>
        )}
      </div>
      <FormMessage message={note ? note(i18n) : null} testId="queue-message" />
    </li>
  )
}

interface FilterForm {
  moderator: string
  action: string
  targetType: string
  from: string
  to: string
}
const noFilters: FilterForm = { moderator: '', action: '', targetType: '', from: '', to: '' }

/** The day after a `YYYY-MM-DD` date, as the start of that day in the reader's time zone (an instant). */
function startOfDay(date: string, plusDays = 0): string {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number]
  return new Date(year, month - 1, day + plusDays).toISOString()
}

/** The form's values as the API's filters: whole days in the reader's time zone, the last day included. */
function apiFilters(form: FilterForm): ModerationLogFilters {
  return {
    ...(form.moderator ? { moderatorId: form.moderator } : {}),
    ...(form.action ? { action: form.action as ModerationAction['action'] } : {}),
    ...(form.targetType ? { targetType: form.targetType as ModerationTarget } : {}),
    ...(form.from ? { from: startOfDay(form.from) } : {}),
    ...(form.to ? { to: startOfDay(form.to, 1) } : {}),
  }
}

function AuditLog({ api, user, showOnMap }: { api: ApiClient; user: User; showOnMap(id: string): void }) {
  const i18n = useMessages(moderationMessages)
  const { m } = i18n
  const [form, setForm] = useState<FilterForm>(noFilters)
  const [applied, setApplied] = useState<ModerationLogFilters>({})
  const [formError, setFormError] = useState<Note | null>(null)
  // Moderators the log has shown, to filter by; the signed-in one always.
  const [moderators, setModerators] = useState<Record<string, string>>({})
  const log = useInfiniteQuery({
    queryKey: queryKeys.moderation.log(applied),
    queryFn: async ({ pageParam }) => {
      const page = await moderationLog(api, applied, pageParam)
      setModerators((current) => {
        const next = { ...current }
        for (const action of page.items) next[action.moderator.id] = action.moderator.displayName
        return next
      })
      return page
    },
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  })
  const items = log.data?.pages.flatMap((page) => page.items) ?? []
  const set = (key: keyof FilterForm) => (value: string) =>
    setForm((current) => ({ ...current, [key]: value }))
  const submit = (event: FormEvent) => {
    event.preventDefault()
    if (form.from && form.to && form.from > form.to) {
      setFormError(() => (next: Say) => ({ ok: false, text: next.m('datesReversed') }))
      return
    }
    setFormError(null)
    setApplied(apiFilters(form))
  }
  const others = Object.entries(moderators).filter(([id]) => id !== user.id)
  return (
    <section aria-labelledby="moderation-log-title" data-testid="moderation-log">
      <h2 id="moderation-log-title">{m('log')}</h2>
      <form className="log-filters" onSubmit={submit} aria-label={m('filters')} data-testid="log-filters">
        <div className="field">
          <label htmlFor="log-moderator">{m('filterModerator')}</label>
          <select
            id="log-moderator"
            value={form.moderator}
            onChange={(event) => set('moderator')(event.target.value)}
          >
            <option value="">{m('any')}</option>
            <option value={user.id}>{m('me')}</option>
            {others.map(([id, name]) => (
              <option key={id} value={id}>
                {name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="log-action">{m('filterAction')}</label>
          <select
            id="log-action"
            value={form.action}
            onChange={(event) => set('action')(event.target.value)}
            data-testid="log-action"
          >
            <option value="">{m('any')}</option>
            {actions.map((action) => (
              <option key={action} value={action}>
                {m(actionKey[action])}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="log-target">{m('filterTarget')}</label>
          <select
            id="log-target"
            value={form.targetType}
            onChange={(event) => set('targetType')(event.target.value)}
          >
            <option value="">{m('any')}</option>
            {targets.map((target) => (
              <option key={target} value={target}>
                {m(targetKey[target])}
              </option>
            ))}
          </select>
        </div>
        <TextField
          id="log-from"
          label={m('filterFrom')}
          type="date"
          value={form.from}
          onChange={set('from')}
        />
        <TextField id="log-to" label={m('filterTo')} type="date" value={form.to} onChange={set('to')} />
        <div className="row">
          <button type="submit" data-testid="log-apply">
            {m('apply')}
          </button>
          <button
            type="button"
            onClick={() => {
              setForm(noFilters)
              setFormError(null)
              setApplied({})
            }}
          >
            {m('clear')}
          </button>
        </div>
      </form>
      <FormMessage message={formError ? formError(i18n) : null} />
      <FormMessage message={log.error ? messageOf(i18n, log.error) : null} />
      {items.length === 0 ? (
        <p className="empty">{log.isPending ? m('loading') : m('logEmpty')}</p>
      ) : (
        <ul className="role-log" data-testid="log-entries">
          {items.map((action) => (
            <li key={action.id} data-testid="log-entry" data-action={action.action}>
              <time dateTime={action.createdAt}>{i18n.dateTime(action.createdAt)}</time>{' '}
              <strong>{m(actionKey[action.action])}</strong> · {m(targetKey[action.targetType])} ·{' '}
              {action.moderator.displayName}
              {action.targetType === 'entity' && (
                <>
                  {' '}
                  <button type="button" className="link" onClick={() => showOnMap(action.targetId)}>
                    {m('showOnMap')}
                  </button>
                </>
              )}
              <span className="role-change-reason">{m('logReason', { reason: action.reason })}</span>
              {action.action === 'hide' && <RestoreFromLog api={api} action={action} />}
            </li>
          ))}
        </ul>
      )}
      {log.hasNextPage && (
        <button type="button" onClick={() => void log.fetchNextPage()} data-testid="log-more">
          {m('more')}
        </button>
      )}
    </section>
  )
}

/**
 * A hide in the log can be undone from there (the queue no longer lists what was acted on): a reason first,
 * as for every decision. Should it be restored already, the API's `not_hidden` is said.
 */
function RestoreFromLog({ api, action }: { api: ApiClient; action: ModerationAction }) {
  const i18n = useMessages(moderationMessages)
  const { m } = i18n
  const queryClient = useQueryClient()
  const reasonId = useId()
  const [open, setOpen] = useState(false)
  const [reason, setReason] = useState('')
  const [busy, setBusy] = useState(false)
  const [note, setNote] = useState<Note | null>(null)
  const submit = async (event: FormEvent) => {
    event.preventDefault()
    if (!reason.trim()) {
      setNote(() => (next: Say) => ({ ok: false, text: next.m('reasonRequired') }))
      return
    }
    setBusy(true)
    setNote(null)
    try {
      await setHidden(api, { targetType: action.targetType, targetId: action.targetId }, false, reason.trim())
      setNote(() => (next: Say) => ({ ok: true, text: next.m('restoredDone') }))
      setOpen(false)
      await queryClient.invalidateQueries({ queryKey: queryKeys.moderation.all })
      if (action.targetType === 'entity')
        await queryClient.invalidateQueries({ queryKey: queryKeys.entity.all(action.targetId) })
    } catch (failure) {
      setNote(() => (next: Say) => ({ ok: false, text: messageOf(next, failure) }))
    } finally {
      setBusy(false)
    }
  }
  return (
    <div className="log-restore">
      {open ? (
        <form onSubmit={(event) => void submit(event)} className="row">
          <label htmlFor={reasonId}>{m('reason')}</label>
          <input
            id={reasonId}
            value={reason}
            maxLength={2000}
            onChange={(event) => setReason(event.target.value)}
            data-testid="log-restore-reason"
          />
          <button type="submit" disabled={busy} data-testid="log-restore-confirm">
            {m('restore')}
          </button>
          <button type="button" onClick={() => setOpen(false)}>
            {m('cancel')}
          </button>
        </form>
      ) : (
        <button type="button" onClick={() => setOpen(true)} data-testid="log-restore">
          {m('restoreFromLog')}
        </button>
      )}
      <FormMessage message={note ? note(i18n) : null} as="span" testId="log-restore-message" />
    </div>
  )
}
