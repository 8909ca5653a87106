import type { User } from '@quartiere/contracts'
import { useQuery } from '@tanstack/react-query'
import { lazy, Suspense, useState } from 'react'
import { campaignsOn } from '../../api/campaigns'
import type { ApiClient } from '../../api/client'
import { useI18n } from '../../i18n/i18n'
import { queryKeys } from '../../queries/query-keys'

const OpenCampaignForm = lazy(() =>
  import('./open-campaign-form').then((module) => ({ default: module.OpenCampaignForm })),
)

/**
 * The place's or project's small trigger: shown only when the API says this reader may open a campaign there
 * (`canOpen`); the form's code loads when it is first asked for.
 */
export function OpenCampaignTrigger({
  api,
  user,
  entityId,
}: {
  api: ApiClient
  user: User | null
  entityId: string
}) {
  const { t } = useI18n()
  const [open, setOpen] = useState(false)
  const userId = user?.id ?? null
  const may = useQuery({
    queryKey: queryKeys.campaigns.canOpen(entityId, userId ?? ''),
    enabled: userId !== null,
    queryFn: ({ signal }) => campaignsOn(api, entityId, signal),
    select: (answer) => answer.canOpen === true,
  })
  if (!user || !may.data) return null
  return (
    <div className="open-campaign">
      <button
        type="button"
        aria-expanded={open}
        aria-controls={`open-campaign-${entityId}`}
        onClick={() => setOpen((current) => !current)}
        data-testid="open-campaign"
      >
        {t('campaign.openNew')}
      </button>
      {open && (
        <div id={`open-campaign-${entityId}`}>
          <Suspense fallback={<p className="hint">{t('common.loading')}</p>}>
            <OpenCampaignForm api={api} user={user} entityId={entityId} />
          </Suspense>
        </div>
      )}
    </div>
  )
}
