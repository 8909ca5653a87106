import type { ReportCreateBody, ReportTargetType } from '@quartiere/contracts'
import { reportDetailsLengthMax } from '@quartiere/contracts/community-limits'
import { reportReasons } from '@quartiere/contracts/enums'
import { type FormEvent, useEffect, useId, useRef, useState } from 'react'
import type { ApiClient } from '../../api/client'
import { fileReport } from '../../api/reports'
import { useMessages } from '../../i18n/screen-messages'
import { FormMessage } from '../form-message'
import { messageOf } from '../messages'
import { reportMessages } from './messages'

type Reason = ReportCreateBody['reason']

/**
 * Reporting one thing, post, comment or photo to the moderators: the reasons the moderation API takes, optional
 * details, and what became of it in words: sent, or already reported and still waiting. A modal <dialog>: the
 * browser keeps focus inside it and Escape closes it.
 */
export function ReportDialog({
  api,
  targetType,
  targetId,
  onClose,
}: {
  api: ApiClient
  targetType: ReportTargetType
  targetId: string
  onClose(): void
}) {
  const i18n = useMessages(reportMessages)
  const { m, t } = i18n
  const dialog = useRef<HTMLDialogElement>(null)
  const [reason, setReason] = useState<Reason | null>(null)
  const [details, setDetails] = useState('')
  const [busy, setBusy] = useState(false)
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null)
  const [done, setDone] = useState(false)
  const id = useId()

  useEffect(() => {
    const element = dialog.current
    if (element && !element.open) element.showModal()
  }, [])

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    if (!reason) return
    setBusy(true)
    setOutcome(null)
    try {
      const { created } = await fileReport(api, {
        targetType,
        targetId,
        reason,
        ...(details.trim() ? { details: details.trim() } : {}),
      })
      setOutcome({ ok: true, text: created ? m('sent') : m('already') })
      setDone(true)
    } catch (failure) {
      setOutcome({ ok: false, text: messageOf(i18n, failure) })
    } finally {
      setBusy(false)
    }
  }

  return (
    <dialog
      ref={dialog}
      className="auth-dialog report-dialog"
      onClose={onClose}
      aria-labelledby={`${id}-title`}
      data-testid="report-dialog"
    >
      <form onSubmit={submit}>
        <h2 id={`${id}-title`}>{m(`title.${targetType}`)}</h2>
        {done ? (
          <FormMessage message={outcome} testId="report-outcome" />
        ) : (
          <>
            <p className="hint">{m('intro')}</p>
            <fieldset className="report-reasons">
              <legend>{m('reason')}</legend>
              {reportReasons.map((value) => (
                <label key={value}>
                  <input
                    type="radio"
                    name={`${id}-reason`}
                    value={value}
                    checked={reason === value}
                    onChange={() => setReason(value)}
                    required
                  />{' '}
                  {m(`reason.${value}`)}
                </label>
              ))}
            </fieldset>
            <label htmlFor={`${id}-details`}>{m('details')}</label>
            <textarea
              id={`${id}-details`}
              value={details}
              rows={3}
              maxLength={reportDetailsLengthMax}
              aria-describedby={`${id}-details-hint`}
              onChange={(event) => setDetails(event.target.value)}
            />
            <p className="hint" id={`${id}-details-hint`}>
              {m('detailsHint', { max: i18n.number(reportDetailsLengthMax) })}
            </p>
            <button type="submit" disabled={busy || !reason} data-testid="report-send">
              {busy ? m('sending') : m('send')}
            </button>
            <FormMessage message={outcome} testId="report-outcome" />
          </>
        )}
        <button type="button" onClick={() => dialog.current?.close()} data-testid="report-close">
          {t('common.close')}
        </button>
      </form>
    </dialog>
  )
}
