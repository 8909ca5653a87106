import { useMessages } from '../i18n/screen-messages'
import { outboxMessages } from './messages'
import { useOutbox } from './outbox-context'
// Not loaded on demand, unlike other panels: it is opened offline, when no further chunk can be fetched.
import { OutboxPanel } from './outbox-panel'

/**
 * In the header: "Offline" while the browser says so, and how many writes wait on this device ("2 waiting to
 * send", "1 not sent"); a click opens the queue.
 */
export function OutboxStatus() {
  const runtime = useOutbox()
  const i18n = useMessages(outboxMessages)
  const { m } = i18n
  if (!runtime) return null
  const waiting = runtime.items.filter((item) => item.state === 'waiting').length
  const failed = runtime.items.length - waiting
  const open = runtime.opened !== null
  return (
    <>
      {!runtime.online && (
        <span className="offline-chip" role="status" data-testid="offline-status">
          {m('status.offline')}
        </span>
      )}
      {runtime.items.length > 0 && (
        <button
          type="button"
          className={failed > 0 ? 'outbox-count outbox-count-failed' : 'outbox-count'}
          aria-haspopup="dialog"
          aria-expanded={open}
          onClick={() => runtime.open('')}
          data-testid="outbox-count"
        >
          {[
            waiting > 0 ? m('status.waiting', { count: i18n.number(waiting) }) : null,
            failed > 0 ? m('status.failed', { count: i18n.number(failed) }) : null,
          ]
            .filter(Boolean)
            .join(' · ')}
        </button>
      )}
      {open && <OutboxPanel />}
    </>
  )
}
