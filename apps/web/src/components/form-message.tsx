/** What a form or panel has to say after an action: a success (a status) or a refusal (an alert). */
export interface FormNote {
  ok: boolean
  text: string
}

export interface FormMessageProps {
  /** A string is an error; a note says whether it is good news. Nothing is shown for null or an empty text. */
  message: FormNote | string | null | undefined
  /** `field` for the smaller line under one field (a comment box, an inline editor). */
  variant?: 'form' | 'field'
  /** Inline (`span`) beside a button, or a paragraph of its own. */
  as?: 'p' | 'span'
  testId?: string
}

/** The role and class a message gets: errors are alerts (read out at once), successes are polite statuses. */
export function formMessageAttributes(
  message: FormNote,
  variant: 'form' | 'field' = 'form',
): { role: 'alert' | 'status'; className: string } {
  if (message.ok) return { role: 'status', className: 'ok' }
  return { role: 'alert', className: variant === 'field' ? 'field-error' : 'error' }
}

/**
 * The one way the web shows an action's outcome or a failed read, so every panel announces errors to screen
 * readers alike and styles them alike.
 */
export function FormMessage({ message, variant = 'form', as = 'p', testId }: FormMessageProps) {
  if (!message) return null
  const note: FormNote = typeof message === 'string' ? { ok: false, text: message } : message
  if (!note.text) return null
  const { role, className } = formMessageAttributes(note, variant)
  const Tag = as
  return (
    <Tag role={role} className={className} data-testid={testId}>
      {note.text}
    </Tag>
  )
}
