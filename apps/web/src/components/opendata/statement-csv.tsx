import { useMutation } from '@tanstack/react-query'
import { useState } from 'react'
import type { ApiClient } from '../../api/client'
import { downloadStatementCsv } from '../../api/opendata'
import { defineMessages, useMessages } from '../../i18n/screen-messages'
import { FormMessage, type FormNote } from '../form-message'
import { messageOf } from '../messages'

/**
 * Transfers one CSV holds: the most a statement page may have (`ledgerPageSizeMax` in the contracts, which the
 * web does not load for one number; the API refuses more with a 400, so a drift shows at once).
 */
const ledgerPageSizeMax = 500

const statementCsvMessages = defineMessages(
  {
    download: 'Download as CSV',
    hint: 'The newest {count} transfers, amounts exact, for a spreadsheet.',
    saved: 'Saved as {name}.',
  },
  {
    download: 'Scarica in CSV',
    hint: 'Gli ultimi {count} trasferimenti, importi esatti, per un foglio di calcolo.',
    saved: 'Salvato come {name}.',
  },
)

/** The statement of an account as a CSV file, fetched with the member's token (a plain link would carry none). */
export function StatementCsvButton({ api, accountId }: { api: ApiClient; accountId: string }) {
  const i18n = useMessages(statementCsvMessages)
  const { m } = i18n
  const [note, setNote] = useState<FormNote | null>(null)
  const download = useMutation({ mutationFn: () => downloadStatementCsv(api, accountId, ledgerPageSizeMax) })
  const start = async () => {
    setNote(null)
    try {
      setNote({ ok: true, text: m('saved', { name: await download.mutateAsync() }) })
    } catch (failure) {
      setNote({ ok: false, text: messageOf(i18n, failure) })
    }
  }
  return (
    <div className="row statement-csv">
      <button
        type="button"
        onClick={() => void start()}
        disabled={download.isPending}
        aria-describedby="statement-csv-hint"
        data-testid="statement-csv"
      >
        {m('download')}
      </button>
      <span className="hint" id="statement-csv-hint">
        {m('hint', { count: ledgerPageSizeMax })}
      </span>
      <FormMessage message={note} as="span" />
    </div>
  )
}
