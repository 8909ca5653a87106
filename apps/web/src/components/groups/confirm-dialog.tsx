import { useEffect, useRef } from 'react'

/**
 * A question to confirm before an action that cannot simply be undone (removing a member, handing a group
 * over). A modal <dialog>: the browser keeps the focus inside, Escape cancels, and the focus starts on Cancel,
 * the harmless answer, and goes back where it was when the dialog closes.
 */
export function ConfirmDialog({
  question,
  confirmLabel,
  cancelLabel,
  onConfirm,
  onCancel,
}: {
  question: string
  confirmLabel: string
  cancelLabel: string
  onConfirm(): void
  onCancel(): void
}) {
  const dialog = useRef<HTMLDialogElement>(null)
  const cancel = useRef<HTMLButtonElement>(null)
  useEffect(() => {
    const element = dialog.current
    const before = document.activeElement instanceof HTMLElement ? document.activeElement : null
    if (element && !element.open) element.showModal()
    cancel.current?.focus()
    return () => before?.focus()
  }, [])
  return (
    <dialog
      ref={dialog}
      className="confirm-dialog"
      aria-labelledby="confirm-question"
      onCancel={(event) => {
        event.preventDefault()
        onCancel()
      }}
      data-testid="confirm-dialog"
    >
      <p id="confirm-question">{question}</p>
      <div className="confirm-actions">
        <button type="button" ref={cancel} onClick={onCancel} data-testid="confirm-cancel">
          {cancelLabel}
        </button>
        <button type="button" className="primary" onClick={onConfirm} data-testid="confirm-ok">
          {confirmLabel}
        </button>
      </div>
    </dialog>
  )
}
