import { lazy, Suspense, useRef, useState } from 'react'
import type { ApiClient } from '../../api/client'
import { useMessages } from '../../i18n/screen-messages'
import { currencyMessages } from './messages'

const TermsDialog = lazy(() => import('./terms-dialog').then((module) => ({ default: module.TermsDialog })))

/**
 * The small trigger the wallet shows wherever a currency appears: it opens the currency's terms in a dialog
 * whose code loads only when asked for.
 */
export function TermsButton({ api, code, name }: { api: ApiClient; code: string; name: string }) {
  const [open, setOpen] = useState(false)
  const { m, t } = useMessages(currencyMessages)
  const trigger = useRef<HTMLButtonElement>(null)
  return (
    <>
      <button
        ref={trigger}
        type="button"
        className="link"
        onClick={() => setOpen(true)}
        data-testid={`terms-open-${code}`}
      >
        {m('readTerms', { name })}
      </button>
      {open && (
        <Suspense fallback={<span className="hint">{t('common.loading')}</span>}>
          <TermsDialog
            api={api}
            code={code}
            onClose={() => {
              setOpen(false)
              trigger.current?.focus()
            }}
          />
        </Suspense>
      )}
    </>
  )
}
