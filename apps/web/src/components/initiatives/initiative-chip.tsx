import { useQuery } from '@tanstack/react-query'
import type { ApiClient } from '../../api/client'
import { getInitiative } from '../../api/initiatives'
import { useI18n } from '../../i18n/i18n'
import { queryKeys } from '../../queries/query-keys'

/** The map shows one initiative's things only: said in a chip, with a button that shows everything again. */
export function InitiativeChip({ api, slug, onClear }: { api: ApiClient; slug: string; onClear(): void }) {
  const { t } = useI18n()
  const initiative = useQuery({
    queryKey: queryKeys.initiatives.one(slug, null),
    queryFn: ({ signal }) => getInitiative(api, slug, signal),
  })
  return (
    <p className="initiative-chip" data-testid="initiative-chip">
      <span>{t('initiative.only', { name: initiative.data?.name ?? slug })}</span>{' '}
      <button type="button" onClick={onClear} data-testid="initiative-chip-clear">
        {t('initiative.clear')}
      </button>
    </p>
  )
}
