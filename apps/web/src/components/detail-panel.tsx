import type { EntityFeature, User } from '@quartiere/contracts'
import { type FormEvent, useEffect, useState } from 'react'
import { type ApiClient, newIdempotencyKey, type Versioned } from '../api/client'
import { ApiProblem } from '../api/problem'
import { type I18n, useI18n } from '../i18n/i18n'
import type { LiveHub } from '../live/hub'
import { kindStyle } from '../map/kinds'
import { geometryBbox } from '../state/entity-cache'
import { CampaignList } from './campaigns'
import { FollowButton, GroupMembership, groupOf, PactSteps } from './community'
import { problemMessage } from './messages'
import { Thread } from './thread'

/** The open thing's box is widened by this much (degrees) for its live subscription: a point is not a box. */
const watchPaddingDeg = 0.0005

export interface DetailPanelProps {
  api: ApiClient
  id: string
  user: User | null
  hub: LiveHub
  /** Bumped when a live update or an edit changed this thing, so the panel reads it again. */
  revision: number
  onClose(): void
  onSelect(id: string): void
  onEdit(entity: Versioned<EntityFeature>): void
  /** Draw a new shape for it on the map (a point moved, a line or an area redrawn). */
  onRedraw(entity: Versioned<EntityFeature>): void
  onLogin?(): void
  onDeleted(id: string): void
  onExchangeOpened(): void
}

/** A property value as a person reads it: dates in the locale, yes/no, links, decimal amounts. */
function formatProperty(i18n: I18n, key: string, value: unknown): string {
  if (typeof value === 'boolean') return value ? i18n.t('common.yes') : i18n.t('common.no')
  if (typeof value === 'number') return i18n.number(value)
  if (typeof value === 'string') {
    if (/^\d{4}-\d{2}-\d{2}T/.test(value)) return i18n.dateTime(value)
    if (key === 'hours' || key === 'budget') return i18n.decimal(value)
    if (key === 'status' || key === 'projectType' || key === 'skillCategory' || key === 'membership') {
      return i18n.t(`value.${value}` as never) || value
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
  const [entity, setEntity] = useState<Versioned<EntityFeature> | null>(null)
  const [parent, setParent] = useState<EntityFeature | null>(null)
  const [children, setChildren] = useState<EntityFeature[]>([])
  const [group, setGroup] = useState<EntityFeature | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [hours, setHours] = useState('')
  const [exchangeMessage, setExchangeMessage] = useState<{ ok: boolean; text: string } | null>(null)

  // biome-ignore lint/correctness/useExhaustiveDependencies: the revision asks for a fresh read.
  useEffect(() => {
    const controller = new AbortController()
    setError(null)
    api
      .getEntity(id, controller.signal)
      .then(async (loaded) => {
        setEntity(loaded)
        setHours((current) => current || String(loaded.value.properties.properties.hours ?? ''))
        const parentId = loaded.value.properties.parentId
        const [parentEntity, childPage] = await Promise.all([
          parentId ? api.getEntity(parentId, controller.signal).catch(() => null) : Promise.resolve(null),
          api.listEntities({ parent: id, limit: 50 }, controller.signal),
        ])
        setParent(parentEntity?.value ?? null)
        setChildren(childPage.features)
        setGroup(await groupOf(api, loaded.value, controller.signal))
      })
      .catch((failure: unknown) => {
        if (controller.signal.aborted) return
        setEntity(null)
        setError(failure instanceof ApiProblem ? problemMessage(i18n, failure) : String(failure))
      })
    return () => controller.abort()
  }, [api, id, props.revision])

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
        <p role="alert">{error}</p>
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
  const mayEdit = !!user && (user.id === p.author.id || user.role === 'moderator' || user.role === 'admin')
  const exchangeable = (p.kind === 'offer' || p.kind === 'request') && !!user && user.id !== p.author.id
  const isPact = p.kind === 'project' && p.properties.projectType === 'pact'
  const mayHaveCampaigns = p.kind === 'space' || p.kind === 'project'

  const requestExchange = async (event: FormEvent) => {
    event.preventDefault()
    setExchangeMessage(null)
    try {
      await api.openExchange(feature.id, hours.trim(), newIdempotencyKey())
      setExchangeMessage({ ok: true, text: t('detail.exchangeOpened') })
      props.onExchangeOpened()
    } catch (failure) {
      setExchangeMessage({
        ok: false,
        text: failure instanceof ApiProblem ? problemMessage(i18n, failure) : String(failure),
      })
    }
  }
  const remove = async () => {
    if (!window.confirm(t('detail.confirmDelete'))) return
    try {
      await api.deleteEntity(feature.id, entity.version)
      props.onDeleted(feature.id)
    } catch (failure) {
      setError(failure instanceof ApiProblem ? problemMessage(i18n, failure) : String(failure))
    }
  }

  return (
    <aside className="detail" aria-labelledby="detail-title" data-testid="detail">
      <button type="button" className="close" onClick={props.onClose} aria-label={t('common.close')}>
        ×
      </button>
      <p className="kind-badge" style={{ background: kindStyle[p.kind].color }}>
        {t(`kind.${p.kind}`)}
      </p>
      <h2 id="detail-title" data-testid="detail-title">
        {p.title}
      </h2>
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
      {p.description && <p className="description">{p.description}</p>}
      <dl className="properties">
        {Object.entries(p.properties).map(([key, value]) => (
          <div key={key}>
            <dt>{t(`prop.${key}` as never) || key}</dt>
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
      {isPact && <PactSteps api={api} id={feature.id} key={`${feature.id}:${entity.version}`} />}
      {mayHaveCampaigns && (
        <section aria-label={t('campaign.title')}>
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
          {exchangeMessage && (
            <p role={exchangeMessage.ok ? 'status' : 'alert'} className={exchangeMessage.ok ? 'ok' : 'error'}>
              {exchangeMessage.text}
            </p>
          )}
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
          <button type="button" className="danger" onClick={remove}>
            {t('common.delete')}
          </button>
        </div>
      )}
      <Thread api={api} entityId={feature.id} user={user} hub={hub} key={feature.id} />
    </aside>
  )
}
