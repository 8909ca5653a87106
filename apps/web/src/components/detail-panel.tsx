import type { EntityFeature, User } from '@quartiere/contracts'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { type FormEvent, Suspense, useEffect, useRef, useState } from 'react'
import { type ApiClient, newIdempotencyKey, type TokenSource, type Versioned } from '../api/client'
import { type I18n, messageOr, useI18n } from '../i18n/i18n'
import type { LiveHub } from '../live/hub'
import { inkOn, kindStyle } from '../map/kinds'
import { queryKeys } from '../queries/query-keys'
import { geometryBbox } from '../state/entity-cache'
import { EventCalendar } from './calendar/lazy'
import { OpenCampaignTrigger } from './campaign-opening/open-campaign-trigger'
import { CampaignList } from './campaigns'
import { FollowButton, GroupMembership, groupOf, PactSteps } from './community'
import { FormMessage, type FormNote } from './form-message'
import { messageOf } from './messages'
import { EntityPhotos } from './photos/lazy'
import { ReportButton } from './report/report-button'
import { Thread } from './thread'

/** The open thing's box is widened by this much (degrees) for its live subscription: a point is not a box. */
const watchPaddingDeg = 0.0005

export interface DetailPanelProps {
  api: ApiClient
  id: string
  user: User | null
  hub: LiveHub
  onClose(): void
  onSelect(id: string): void
  onEdit(entity: Versioned<EntityFeature>): void
  /** Draw a new shape for it on the map (a point moved, a line or an area redrawn). */
  onRedraw(entity: Versioned<EntityFeature>): void
  onLogin?(): void
  onDeleted(id: string): void
  /** The session's tokens, for uploads (which report their progress, so go around the API client). */
  tokens?: TokenSource
}

/** A property value as a person reads it: dates in the locale, yes/no, links, decimal amounts. */
function formatProperty(i18n: I18n, key: string, value: unknown): string {
  if (typeof value === 'boolean') return value ? i18n.t('common.yes') : i18n.t('common.no')
  if (typeof value === 'number') return i18n.number(value)
  if (typeof value === 'string') {
    if (/^\d{4}-\d{2}-\d{2}T/.test(value)) return i18n.dateTime(value)
    if (key === 'hours' || key === 'budget') return i18n.decimal(value)
    if (key === 'status' || key === 'projectType' || key === 'skillCategory' || key === 'membership') {
      return messageOr(i18n, `value.${value}`, value)
    }
    return value
  }
  if (Array.isArray(value)) return value.map(String).join(', ')
  return JSON.stringify(value)
}

export function DetailPanel(props: DetailPanelProps) {
  const i18n = useI18n()
  const { t } = i18n
  const { api, id, user } = props
  const queryClient = useQueryClient()
  // Read again when the live feed or the editor changes this thing (they mark its queries stale).
  const detail = useQuery({
    queryKey: queryKeys.entity.detail(id),
    queryFn: ({ signal }) => api.getEntity(id, signal),
  })
  const entity = detail.data ?? null
  // What the reader may do (`can`) is answered per reader: signing in or out reads the thing again.
  const readerId = user?.id ?? null
  const readBy = useRef(readerId)
  useEffect(() => {
    if (readBy.current === readerId) return
    readBy.current = readerId
    void queryClient.invalidateQueries({ queryKey: queryKeys.entity.detail(id) })
  }, [queryClient, id, readerId])
  // Its parent, its children and the group it belongs to: read once the thing is known, again with it.
  const parentId = entity?.value.properties.parentId ?? null
  const related = useQuery({
    queryKey: queryKeys.entity.related(id, parentId),
    enabled: entity !== null,
    queryFn: async ({ signal }) => {
      const [parentEntity, childPage, group] = await Promise.all([
        parentId ? api.getEntity(parentId, signal).catch(() => null) : Promise.resolve(null),
        api.listEntities({ parent: id, limit: 50 }, signal),
        entity ? groupOf(api, entity.value, signal) : Promise.resolve(null),
      ])
      return { parent: parentEntity?.value ?? null, children: childPage.features, group }
    },
  })
  const parent = related.data?.parent ?? null
  const children = related.data?.children ?? []
  const group = related.data?.group ?? null
  // A refused removal concerns the thing it was asked for, not the next one opened.
  const [removeError, setRemoveError] = useState<{ id: string; text: string } | null>(null)
  const error =
    (removeError?.id === id ? removeError.text : null) ??
    (detail.error ? messageOf(i18n, detail.error) : null)
  const [hours, setHours] = useState('')
  const [exchangeMessage, setExchangeMessage] = useState<FormNote | null>(null)
  // The hours offered start at the thing's own, once it is known (what one typed stays).
  const offeredHours = entity ? String(entity.value.properties.properties.hours ?? '') : ''
  useEffect(() => {
    setHours((current) => current || offeredHours)
  }, [offeredHours])

  // Posts, comments and campaign moves on this thing arrive live even when the map looks elsewhere.
  const { hub } = props
  const watchBox = entity ? geometryBbox(entity.value.geometry) : null
  const watchKey = watchBox ? watchBox.join(',') : ''
  useEffect(() => {
    if (!watchKey) return
    const [west, south, east, north] = watchKey.split(',').map(Number) as [number, number, number, number]
    hub.watch({
      id: 'selected',
      bbox: [
        Math.max(-180, west - watchPaddingDeg),
        Math.max(-90, south - watchPaddingDeg),
        Math.min(180, east + watchPaddingDeg),
        Math.min(90, north + watchPaddingDeg),
      ],
    })
    return () => hub.unwatch('selected')
  }, [hub, watchKey])

  if (error) {
    return (
      <aside className="detail" aria-label={t('detail.label')}>
        <button type="button" className="close" onClick={props.onClose} aria-label={t('common.close')}>
          ×
        </button>
        <FormMessage message={error} />
      </aside>
    )
  }
  if (!entity) {
    return (
      <aside className="detail" aria-busy="true" aria-label={t('detail.label')}>
        {t('common.loading')}
      </aside>
    )
  }
  const feature = entity.value
  const p = feature.properties
  // What this reader may do, as the API says (it computes `can` from the rules it enforces).
  const can = feature.can
  const mayEdit = !!user && !!can?.edit
  const exchangeable = (p.kind === 'offer' || p.kind === 'request') && !!user && user.id !== p.author.id
  const isPact = p.kind === 'project' && p.properties.projectType === 'pact'
  const mayHaveCampaigns = p.kind === 'space' || p.kind === 'project'

  const requestExchange = async (event: FormEvent) => {
    event.preventDefault()
    setExchangeMessage(null)
    try {
      await api.openExchange(feature.id, hours.trim(), newIdempotencyKey())
      setExchangeMessage({ ok: true, text: t('detail.exchangeOpened') })
      // The wallet lists the new exchange the next time it is shown.
      void queryClient.invalidateQueries({ queryKey: queryKeys.wallet.all })
    } catch (failure) {
      setExchangeMessage({ ok: false, text: messageOf(i18n, failure) })
    }
  }
  const remove = async () => {
    if (!window.confirm(t('detail.confirmDelete'))) return
    try {
      await api.deleteEntity(feature.id, entity.version)
      queryClient.removeQueries({ queryKey: queryKeys.entity.all(feature.id) })
      props.onDeleted(feature.id)
    } catch (failure) {
      setRemoveError({ id: feature.id, text: messageOf(i18n, failure) })
    }
  }

  return (
    <aside className="detail" aria-labelledby="detail-title" data-testid="detail">
      <button type="button" className="close" onClick={props.onClose} aria-label={t('common.close')}>
        ×
      </button>
      <p
        className="kind-badge"
        style={{ background: kindStyle[p.kind].color, color: inkOn(kindStyle[p.kind].color) }}
      >
        {t(`kind.${p.kind}`)}
      </p>
      <h2 id="detail-title" data-testid="detail-title">
        {p.title}
      </h2>
      {p.hidden && (
        <p className="hidden-notice" role="note" data-testid="hidden-notice">
          {p.hiddenReason ? t('hidden.noticeReason', { reason: p.hiddenReason }) : t('hidden.notice')}
        </p>
      )}
      {user && (
        <div className="row">
          <FollowButton api={api} entityId={feature.id} user={user} />
        </div>
      )}
      {(p.validFrom || p.validTo) && (
        <p className="when">
          {p.validFrom ? i18n.dateTime(p.validFrom) : '…'} – {p.validTo ? i18n.dateTime(p.validTo) : '…'}
        </p>
      )}
      {p.kind === 'event' && <EventCalendar api={api} id={feature.id} />}
      {p.description && <p className="description">{p.description}</p>}
      <dl className="properties">
        {Object.entries(p.properties).map(([key, value]) => (
          <div key={key}>
            <dt>{messageOr(i18n, `prop.${key}`, key)}</dt>
            <dd>
              {typeof value === 'string' && /^https?:\/\//.test(value) ? (
                <a href={value} rel="noopener noreferrer" target="_blank">
                  {value}
                </a>
              ) : (
                formatProperty(i18n, key, value)
              )}
            </dd>
          </div>
        ))}
        {p.categories.length > 0 && (
          <div>
            <dt>{t('field.categories')}</dt>
            <dd>{p.categories.join(', ')}</dd>
          </div>
        )}
        {p.tags.length > 0 && (
          <div>
            <dt>{t('field.tags')}</dt>
            <dd>{p.tags.map((tag) => `#${tag}`).join(' ')}</dd>
          </div>
        )}
        <div>
          <dt>{t('detail.author')}</dt>
          <dd>{p.author.displayName}</dd>
        </div>
        <div>
          <dt>{t('detail.updated')}</dt>
          <dd>{i18n.dateTime(p.updatedAt)}</dd>
        </div>
      </dl>
      {parent && (
        <p>
          {t('detail.partOf')}{' '}
          <button type="button" className="link" onClick={() => props.onSelect(parent.id)}>
            {parent.properties.title}
          </button>
        </p>
      )}
      {children.length > 0 && (
        <section>
          <h3>{t('detail.children')}</h3>
          <ul>
            {children.map((child) => (
              <li key={child.id}>
                <button type="button" className="link" onClick={() => props.onSelect(child.id)}>
                  {child.properties.title}
                </button>{' '}
                <small>{t(`kind.${child.properties.kind}`)}</small>
              </li>
            ))}
          </ul>
        </section>
      )}
      {group && (
        <GroupMembership
          api={api}
          group={group}
          user={user}
          {...(props.onLogin ? { onLogin: props.onLogin } : {})}
        />
      )}
      {isPact && <PactSteps api={api} id={feature.id} />}
      {mayHaveCampaigns && (
        <section aria-label={t('campaign.title')}>
          <OpenCampaignTrigger api={api} user={user} entityId={feature.id} />
          <CampaignList api={api} user={user} hub={hub} entityId={feature.id} />
        </section>
      )}
      {exchangeable && (
        <form className="exchange" onSubmit={requestExchange}>
          <h3>{p.kind === 'offer' ? t('detail.requestService') : t('detail.offerHelp')}</h3>
          <label>
            {t('field.hours')}
            <input
              inputMode="decimal"
              value={hours}
              onChange={(event) => setHours(event.target.value)}
              pattern="^[0-9]{1,15}(\.[0-9]{1,2})?$"
              required
            />
          </label>
          <button type="submit">
            {p.kind === 'offer' ? t('detail.requestService') : t('detail.offerHelp')}
          </button>
          <FormMessage message={exchangeMessage} />
        </form>
      )}
      {!user && (p.kind === 'offer' || p.kind === 'request') && (
        <p className="hint">{t('detail.loginToExchange')}</p>
      )}
      {mayEdit && (
        <div className="row">
          <button type="button" onClick={() => props.onEdit(entity)} data-testid="edit">
            {t('common.edit')}
          </button>
          <button type="button" onClick={() => props.onRedraw(entity)} data-testid="redraw">
            {feature.geometry.type === 'Point' ? t('detail.movePoint') : t('detail.redrawShape')}
          </button>
          {can?.delete && (
            <button type="button" className="danger" onClick={remove}>
              {t('common.delete')}
            </button>
          )}
        </div>
      )}
      {can?.report && (
        <div className="row small">
          <ReportButton api={api} targetType="entity" targetId={feature.id} />
        </div>
      )}
      <Suspense fallback={null}>
        <EntityPhotos
          api={api}
          tokens={props.tokens}
          entityId={feature.id}
          user={user}
          can={can}
          key={feature.id}
        />
      </Suspense>
      <Thread
        api={api}
        entityId={feature.id}
        user={user}
        key={feature.id}
        {...(props.tokens ? { tokens: props.tokens } : {})}
      />
    </aside>
  )
}
