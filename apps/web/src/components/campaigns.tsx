import type { Campaign, Pledge, User } from '@quartiere/contracts'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { type FormEvent, useEffect, useState } from 'react'
import { type ApiClient, newIdempotencyKey } from '../api/client'
import type { MessageKey } from '../i18n/dictionaries'
import { useI18n } from '../i18n/i18n'
import type { LiveHub } from '../live/hub'
import { queryKeys } from '../queries/query-keys'
import { checkPledge, decimalsOf, formatMinor, givesBack, progressOf } from '../state/amounts'
import { geometryBbox } from '../state/entity-cache'
import { FormMessage, type FormNote } from './form-message'
import { messageOf } from './messages'

/** Campaigns whose progress is followed live at most (one feed subscription each, under the server's 20). */
export const watchedCampaignsMax = 15
const runningStates = new Set<Campaign['state']>(['locked', 'scheduled', 'open'])
/**
 * A place read this recently (by the detail panel, say) is not read again for its title and box: both change
 * rarely, and a change on the feed marks the read stale anyway.
 */
const placeReuseMs = 60_000
/** A point's box is widened by this much (degrees) so that the feed sees a box, not a dot. */
const watchPaddingDeg = 0.0005

export interface CampaignListProps {
  api: ApiClient
  user: User | null
  hub: LiveHub
  /** Only the campaigns on this place or project; all of them when absent. */
  entityId?: string
  /** Decimal places of each currency by code, when known (else read from the campaign's own amounts). */
  scales?: Record<string, number>
  /** A pledge, withdrawal or deposit moved money: the wallet reads its balances again. */
  onMoneyMoved?(): void
}

/**
 * Piggy banks: each campaign's progress bar (raised of cap), backing it in whole steps of its ratio, one's own
 * pledges with withdraw, the owner's deposit and stop; progress moves live from the feed's campaign events.
 */
export function CampaignList({ api, user, hub, entityId, scales = {}, onMoneyMoved }: CampaignListProps) {
  const i18n = useI18n()
  const { t } = i18n
  const queryClient = useQueryClient()
  // Whether each campaign is theirs to manage is the API's answer to the reader: the member is part of the key.
  // The feed's campaign events mark the list stale, so progress moves live (queries/live-invalidation.ts).
  const listKey = queryKeys.campaigns.list(entityId ?? null, user?.id ?? null)
  const query = useQuery({
    queryKey: listKey,
    queryFn: async ({ signal }) => (await api.campaigns(entityId ? { entityId } : {}, signal)).items,
  })
  const campaigns = query.data ?? null
  const [places, setPlaces] = useState<Record<string, string>>({})

  // Progress is public and live: each running campaign's place is watched on the feed (its box is read from the
  // place; its title comes with the campaign).
  const watchKey = (campaigns ?? [])
    .filter((campaign) => runningStates.has(campaign.state))
    .slice(0, watchedCampaignsMax)
    .map((campaign) => `${campaign.id}:${campaign.entityId}`)
    .join(',')
  useEffect(() => {
    if (!watchKey) return
    const pairs = watchKey.split(',').map((pair) => pair.split(':') as [string, string])
    let cancelled = false
    const ids: string[] = []
    for (const [campaignId, placeId] of pairs) {
      // The place is often the thing the detail panel shows: its cached read serves here too.
      queryClient
        .fetchQuery({
          queryKey: queryKeys.entity.detail(placeId),
          queryFn: () => api.getEntity(placeId),
          staleTime: placeReuseMs,
        })
        .then(({ value }) => {
          setPlaces((current) => ({ ...current, [placeId]: value.properties.title }))
          const box = geometryBbox(value.geometry)
          if (cancelled || !box) return
          const id = `campaign:${campaignId}`
          ids.push(id)
          hub.watch({
            id,
            bbox: [
              Math.max(-180, box[0] - watchPaddingDeg),
              Math.max(-90, box[1] - watchPaddingDeg),
              Math.min(180, box[2] + watchPaddingDeg),
              Math.min(90, box[3] + watchPaddingDeg),
            ],
          })
        })
        .catch(() => undefined)
    }
    return () => {
      cancelled = true
      for (const id of ids) hub.unwatch(id)
    }
  }, [api, hub, watchKey, queryClient])

  // An action's answer is the campaign as it now stands for this reader: shown at once.
  const replace = (campaign: Campaign) =>
    queryClient.setQueryData<Campaign[]>(listKey, (current) =>
      current?.map((item) => (item.id === campaign.id ? campaign : item)),
    )

  if (query.error) return <FormMessage message={messageOf(i18n, query.error)} />
  if (!campaigns) return <p className="hint">{t('common.loading')}</p>
  if (campaigns.length === 0) return entityId ? null : <p className="empty">{t('campaign.none')}</p>
  return (
    <ul className="campaigns" data-testid="campaigns">
      {campaigns.map((campaign) => (
        <CampaignCard
          key={campaign.id}
          api={api}
          user={user}
          campaign={campaign}
          placeTitle={campaign.entityTitle ?? places[campaign.entityId] ?? null}
          acceptScale={scales[campaign.acceptCurrency] ?? decimalsOf(campaign.cap)}
          giveScale={scales[campaign.giveCurrency] ?? decimalsOf(campaign.ratio.give)}
          onChanged={(changed) => {
            replace(changed)
            onMoneyMoved?.()
          }}
        />
      ))}
    </ul>
  )
}

function CampaignCard({
  api,
  user,
  campaign,
  placeTitle,
  acceptScale,
  giveScale,
  onChanged,
}: {
  api: ApiClient
  user: User | null
  campaign: Campaign
  placeTitle: string | null
  acceptScale: number
  giveScale: number
  onChanged(campaign: Campaign): void
}) {
  const i18n = useI18n()
  const { t } = i18n
  const [amount, setAmount] = useState('')
  const [key, setKey] = useState(newIdempotencyKey)
  const [message, setMessage] = useState<FormNote | null>(null)
  const [busy, setBusy] = useState(false)
  const queryClient = useQueryClient()
  // The API says whether this reader manages it (a group's campaign: its owners and managers); a campaign first
  // heard of on the feed carries no such answer, and is then the reader's only when they opened it.
  const owner =
    !!user && (campaign.canManage ?? (campaign.owner.type === 'user' && campaign.owner.userId === user.id))
  const progress = progressOf(campaign.raised, campaign.cap)
  const money = (value: string, currency: string) =>
    t('wallet.amount', { amount: i18n.decimal(value), currency })

  // One's own pledges, read again when the campaign moves (a settlement posts or voids them): the feed's
  // campaign events and one's own actions mark them stale.
  const userId = user?.id ?? null
  const pledgesQuery = useQuery({
    queryKey: queryKeys.campaigns.pledges(campaign.id, userId ?? ''),
    enabled: userId !== null,
    queryFn: async () =>
      (await api.pledges(campaign.id)).items.filter((pledge: Pledge) => pledge.backerId === userId),
  })
  const pledges = pledgesQuery.data ?? []
  const loadPledges = () =>
    queryClient.invalidateQueries({ queryKey: queryKeys.campaigns.pledges(campaign.id, userId ?? '') })

  const act = async (action: () => Promise<Campaign | null>, success?: (campaign: Campaign) => string) => {
    setBusy(true)
    setMessage(null)
    try {
      const changed = await action()
      if (changed) {
        onChanged(changed)
        if (success) setMessage({ ok: true, text: success(changed) })
      }
      await loadPledges()
    } catch (failure) {
      setMessage({ ok: false, text: messageOf(i18n, failure) })
    } finally {
      setBusy(false)
    }
  }

  const check = amount.trim() ? checkPledge(amount, campaign, acceptScale, giveScale) : null
  const back = async (event: FormEvent) => {
    event.preventDefault()
    if (!check?.ok) {
      setMessage({ ok: false, text: pledgeProblem(check) })
      return
    }
    await act(async () => {
      // What was typed is sent: the API cuts it at the cap itself, and the answer says what it accepted.
      const result = await api.pledge(campaign.id, formatMinor(check.amount ?? 0n, acceptScale), key)
      setKey(newIdempotencyKey())
      setAmount('')
      const { pledge } = result
      setMessage({
        ok: true,
        text:
          pledge.amount === pledge.requested
            ? t('campaign.pledged', { amount: money(pledge.amount, campaign.acceptCurrency) })
            : t('campaign.pledgedCut', {
                amount: money(pledge.amount, campaign.acceptCurrency),
                requested: money(pledge.requested, campaign.acceptCurrency),
              }),
      })
      return result.campaign
    })
  }
  function pledgeProblem(result: ReturnType<typeof checkPledge> | null): string {
    if (!result || result.reason === 'invalid_amount')
      return t('campaign.invalidAmount', { decimals: String(acceptScale) })
    if (result.reason === 'not_a_multiple' && result.nearest)
      return t('campaign.notMultiple', {
        step: money(campaign.ratio.accept, campaign.acceptCurrency),
        below: i18n.decimal(result.nearest.below),
        above: i18n.decimal(result.nearest.above),
      })
    return t('problem.campaign_full')
  }

  const running = campaign.state === 'open'
  return (
    <li className="campaign" data-testid="campaign" data-campaign-id={campaign.id}>
      <h3 className="campaign-title">{campaign.title}</h3>
      {placeTitle && <p className="hint">{t('campaign.on', { place: placeTitle })}</p>}
      {campaign.description && <p>{campaign.description}</p>}
      <div
        className="progress"
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(progress * 100)}
        aria-label={t('campaign.progress')}
        data-testid="campaign-progress"
      >
        <span className="progress-fill" style={{ width: `${(progress * 100).toFixed(1)}%` }} />
      </div>
      <p className="campaign-figures" data-testid="campaign-raised">
        {t('campaign.raised', {
          raised: money(campaign.raised, campaign.acceptCurrency),
          cap: money(campaign.cap, campaign.acceptCurrency),
          backers: i18n.number(campaign.backers),
        })}
      </p>
      <p className="hint">
        {t(`campaign.state.${campaign.state}` as MessageKey)} ·{' '}
        {t('campaign.ratio', {
          accept: money(campaign.ratio.accept, campaign.acceptCurrency),
          give: money(campaign.ratio.give, campaign.giveCurrency),
        })}{' '}
        · {t('campaign.ends', { date: i18n.dateTime(campaign.endsAt) })}
      </p>
      {running && user && !owner && (
        <form className="pledge-form" onSubmit={back} noValidate data-testid="pledge-form">
          <label htmlFor={`pledge-${campaign.id}`}>
            {t('campaign.backLabel', { currency: campaign.acceptCurrency })}
          </label>
          <input
            id={`pledge-${campaign.id}`}
            inputMode="decimal"
            value={amount}
            placeholder={campaign.ratio.accept}
            onChange={(event) => setAmount(event.target.value)}
            aria-invalid={!!check && !check.ok}
            data-testid="pledge-amount"
          />
          <button type="submit" disabled={busy} data-testid="pledge-submit">
            {t('campaign.back')}
          </button>
          {check?.ok && check.accepted && (
            <p className="hint">
              {t('campaign.youGet', {
                amount: money(check.givesBack ?? '0', campaign.giveCurrency),
                accepted: money(check.accepted, campaign.acceptCurrency),
              })}
            </p>
          )}
        </form>
      )}
      {owner && campaign.state === 'locked' && !campaign.deposited && (
        <div className="row">
          <button
            type="button"
            disabled={busy}
            onClick={() =>
              void act(
                () => api.depositCampaign(campaign.id),
                () => t('campaign.depositDone'),
              )
            }
            data-testid="campaign-deposit"
          >
            {t('campaign.deposit', { amount: money(campaign.deposit, campaign.giveCurrency) })}
          </button>
        </div>
      )}
      {owner && runningStates.has(campaign.state) && (
        <div className="row">
          <button
            type="button"
            className="danger"
            disabled={busy}
            onClick={() => {
              if (window.confirm(t('campaign.confirmStop')))
                void act(
                  () => api.stopCampaign(campaign.id),
                  () => t('campaign.stopped'),
                )
            }}
          >
            {t('campaign.stop')}
          </button>
        </div>
      )}
      {pledges.length > 0 && (
        <ul className="pledges" aria-label={t('campaign.yourPledges')}>
          {pledges.map((pledge) => (
            <li key={pledge.id} data-testid="pledge">
              {money(pledge.amount, campaign.acceptCurrency)} · {t(`state.${pledge.state}`)}
              {pledge.payout &&
                ` · ${t('campaign.payout', { amount: money(pledge.payout, campaign.giveCurrency) })}`}
              {pledge.state === 'pending' && running && (
                <button
                  type="button"
                  className="link"
                  disabled={busy}
                  onClick={() =>
                    void act(async () => {
                      await api.withdrawPledge(campaign.id, pledge.id)
                      setMessage({ ok: true, text: t('campaign.withdrawn') })
                      return api.campaign(campaign.id)
                    })
                  }
                  data-testid="pledge-withdraw"
                >
                  {t('campaign.withdraw')}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      <FormMessage message={message} testId="campaign-message" />
      {campaign.state === 'funded' && (
        <p className="hint">
          {t('campaign.fundedNote', {
            amount: money(
              givesBack(campaign.raised, campaign.ratio, acceptScale, giveScale),
              campaign.giveCurrency,
            ),
          })}
        </p>
      )}
    </li>
  )
}
