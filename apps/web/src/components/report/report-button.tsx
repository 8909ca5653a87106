import type { ReportTargetType } from '@quartiere/contracts'
import { lazy, Suspense, useState } from 'react'
import type { ApiClient } from '../../api/client'
import { useI18n } from '../../i18n/i18n'

/** The dialog loads when first asked for: only this button is in the first visit's code. */
const ReportDialog = lazy(() =>
  import('./report-dialog').then((module) => ({ default: module.ReportDialog })),
)

export interface ReportButtonProps {
  api: ApiClient
  targetType: ReportTargetType
  targetId: string
  /** Names what is reported for screen readers when several Report buttons sit near each other. */
  label?: string
  className?: string
}

/** "Report": opens the report dialog for one thing, post, comment or photo. */
export function ReportButton({ api, targetType, targetId, label, className }: ReportButtonProps) {
  const { t } = useI18n()
  const [open, setOpen] = useState(false)
  return (
    <>
      <button
        type="button"
        className={className ?? 'link'}
        onClick={() => setOpen(true)}
        {...(label ? { 'aria-label': label } : {})}
        data-testid={`report-${targetType}`}
      >
        {t('report.action')}
      </button>
      {open && (
        <Suspense fallback={null}>
          <ReportDialog
            api={api}
            targetType={targetType}
            targetId={targetId}
            onClose={() => setOpen(false)}
          />
        </Suspense>
      )}
    </>
  )
}
