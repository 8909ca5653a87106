import { useEffect, useRef } from 'react'
import { useMessages } from '../i18n/screen-messages'
import { outboxMessages } from './messages'
import { useOutbox } from './outbox-context'
import { OutboxItemView } from './outbox-item'

/**
 * The queue in a modal <dialog>, as the notifications are: every write waiting on this device, oldest first, each
 * with its state and what can be done with it. Opened on one item (a pending thing in the list), that item comes
 * into view.
 */
export function OutboxPanel() {
  const runtime = useOutbox()
  const { m } = useMessages(outboxMessages)
  const dialog = useRef<HTMLDialogElement>(null)
  const opened = runtime?.opened ?? null

  useEffect(() => {
    const element = dialog.current
    if (element && !element.open) element.showModal()
  }, [])
  useEffect(() => {
    if (!opened) return
    dialog.current
      ?.querySelector(`[data-outbox-id="${CSS.escape(opened)}"]`)
      ?.scrollIntoView({ block: 'center' })
  }, [opened])

  if (!runtime) return null
  const waiting = runtime.userId
    ? runtime.items.some((item) => item.state === 'waiting' && item.userId === runtime.userId)
    : false
  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: the keyboard closes it with Escape or the close button.
    <dialog
      ref={dialog}
      className="notifications-dialog outbox-dialog"
      onClose={() => runtime.open(null)}
      onClick={(event) => {
        if (event.target === event.currentTarget) dialog.current?.close()
      }}
      aria-labelledby="outbox-title"
      data-testid="outbox-panel"
    >
      <div className="notifications-body">
        <div className="notifications-head">
          <h2 id="outbox-title">{m('panel.title')}</h2>
          {waiting && runtime.online && (
            <button type="button" onClick={runtime.flush} data-testid="outbox-send-now">
              {m('panel.sendNow')}
            </button>
          )}
          <button type="button" onClick={() => dialog.current?.close()} data-testid="outbox-close">
            {m('panel.close')}
          </button>
        </div>
        <p className="hint">{m('panel.intro')}</p>
        {runtime.items.length === 0 ? (
          <p className="empty">{m('panel.empty')}</p>
        ) : (
          <ol className="outbox-list">
            {runtime.items.map((item) => (
              <li
                key={item.id}
                data-outbox-id={item.id}
                className={item.id === opened ? 'opened' : undefined}
              >
                <OutboxItemView item={item} />
              </li>
            ))}
          </ol>
        )}
      </div>
    </dialog>
  )
}
