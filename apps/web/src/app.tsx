import type { EntityFeature, EntityKind, RealtimeEvent } from '@quartiere/contracts'
import { type QueryClient, QueryClientProvider, useQueryClient } from '@tanstack/react-query'
import {
  lazy,
  Suspense,
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useState,
  useSyncExternalStore,
} from 'react'
import { updateProfile } from './api/account'
import type { ApiClient, Versioned } from './api/client'
import type { Created } from './api/outbox'
import { AuthDialog } from './components/auth-dialog'
import { CalendarControl } from './components/calendar/lazy'
import { DetailPanel } from './components/detail-panel'
import type { EntityEditorProps } from './components/entity-editor'
import { Filters } from './components/filters'
import { FormMessage } from './components/form-message'
import { InitiativeChip } from './components/initiatives/initiative-chip'
import { LoadFailureBoundary } from './components/load-failure-boundary'
import { type Camera, MapView } from './components/map-view'
import { Notifications } from './components/notifications'
import { OfflineNotice } from './components/offline/offline-notice'
import { Timeline } from './components/timeline'
import { Wall } from './components/wall'
import type { Locale } from './i18n/dictionaries'
import { I18nProvider, useI18n } from './i18n/i18n'
import { screenI18n } from './i18n/screen-messages'
import { LiveHub } from './live/hub'
import { LiveConnection, type LiveStatus } from './live/live'
import { outboxMessages } from './offline/messages'
import type { OutboxItem } from './offline/outbox'
import { OutboxProvider, useOutboxLanded } from './offline/outbox-context'
import { PendingThings } from './offline/outbox-item'
import { OutboxStatus } from './offline/outbox-status'
import { pageOrder, pages } from './pages'
import { useLiveInvalidation } from './queries/live-invalidation'
import { createQueryClient } from './queries/query-client'
import { queryKeys } from './queries/query-keys'
import type { SessionStore } from './session/session'
import {
  type DrawingAction,
  type DrawingState,
  type DrawKind,
  type DrawnGeometry,
  canFinish as drawingCanFinish,
  drawingStep,
  drawKindOf,
  startDrawing as newDrawing,
} from './state/drawing'
import { type Bbox, bboxIntersects, clampBbox, geometryBbox } from './state/entity-cache'
import { estimatedBounds } from './state/map-query'
import { overlaps, type TimeWindow, windowQuery, windowRange } from './state/timeline'
import {
  formatViewState,
  linkTokenOf,
  type Page,
  pageItemOf,
  pageOf,
  parseViewState,
  pathOf,
  type ViewState,
  withPageItem,
} from './state/url-state'
import { useMapData } from './state/use-map-data'
import { shownAtZoom } from './state/zoom-levels'

// The editor and the pages (pages.tsx) are not needed for the first map: their code loads when first opened.
const EntityEditor = lazy(() =>
  import('./components/entity-editor').then((module) => ({ default: module.EntityEditor })),
)

// The tools to place a thing without a pointer load when drawing starts.
const PlacingTools = lazy(() =>
  import('./components/placing/placing-tools').then((module) => ({ default: module.PlacingTools })),
)
const Crosshair = lazy(() =>
  import('./components/placing/placing-tools').then((module) => ({ default: module.Crosshair })),
)

/** What a drawing is for: a new thing, or a new shape for a thing being edited. */
type Drawing = DrawingState & { editing: Versioned<EntityFeature> | null }

const defaultKindFor: Record<DrawKind, EntityKind> = {
  Point: 'event',
  LineString: 'story',
  Polygon: 'project',
}

export interface AppProps {
  api: ApiClient
  session: SessionStore
  initialLocale: Locale
  onLocaleChange(locale: Locale): void
  queryClient?: QueryClient
}

export function App(props: AppProps) {
  const [locale, setLocale] = useState(props.initialLocale)
  // One cache of API reads for the app's lifetime (a test may hand in its own).
  const [queryClient] = useState(() => props.queryClient ?? createQueryClient())
  const changeLocale = (next: Locale) => {
    setLocale(next)
    props.onLocaleChange(next)
  }
  return (
    <QueryClientProvider client={queryClient}>
      <I18nProvider locale={locale}>
        <OutboxProvider api={props.api} session={props.session}>
          <LoadFailureBoundary>
            <Shell {...props} locale={locale} onLocale={changeLocale} />
          </LoadFailureBoundary>
        </OutboxProvider>
      </I18nProvider>
    </QueryClientProvider>
  )
}

/** Whether `outer` holds all of `inner`. */
function bboxContains(outer: Bbox, inner: Bbox): boolean {
  return outer[0] <= inner[0] && outer[1] <= inner[1] && outer[2] >= inner[2] && outer[3] >= inner[3]
}

/** Does a live thing belong in the current view's filters? Text search cannot be judged here: reload instead. */
function matchesView(feature: EntityFeature, view: ViewState): boolean {
  const p = feature.properties
  if (view.kinds.length && !view.kinds.includes(p.kind)) return false
  if (!shownAtZoom(p.zoomLevel, view.zoom)) return false
  if (view.categories.length && !p.categories.some((value) => view.categories.includes(value))) return false
  if (view.tags.length && !p.tags.some((value) => view.tags.includes(value))) return false
  if (view.window) {
    const { from, to } = windowRange(view.window)
    if (!overlaps(p, from, to)) return false
  }
  return true
}

function Shell({
  api,
  session,
  locale,
  onLocale,
}: AppProps & { locale: Locale; onLocale(locale: Locale): void }) {
  const i18n = useI18n()
  const { t } = i18n
  const user = useSyncExternalStore(session.subscribe, session.user)
  // A signed-in member's choice in the top bar is their language everywhere: saved to the profile, so that the
  // messages the server sends them (email, push) speak it too. The page switches at once either way.
  const chooseLocale = (next: Locale) => {
    onLocale(next)
    if (!user || user.locale === next) return
    updateProfile(api, { locale: next })
      .then(() => session.refresh())
      .catch((failure: unknown) => console.warn('the language could not be saved to the profile', failure))
  }
  const [page, setPage] = useState<Page>(() => pageOf(window.location.pathname))
  const [view, setView] = useState<ViewState>(() => parseViewState(window.location.search))
  const [linkToken] = useState(() => linkTokenOf(window.location.search))
  const initialCamera = useRef<Camera>({ center: view.center, zoom: view.zoom })
  // Until the map has loaded, loading starts from the box the initial camera will show (the page's entry script
  // has already asked for its first page: see main.tsx), so the things and the map arrive in parallel.
  const [bounds, setBounds] = useState<Bbox | null>(() =>
    estimatedBounds(view.center, view.zoom, window.innerWidth, window.innerHeight),
  )
  const [flyTo, setFlyTo] = useState<Camera | null>(null)
  const [authMode, setAuthMode] = useState<'login' | 'register' | null>(null)
  const [drawing, setDrawing] = useState<Drawing | null>(null)
  const [crosshair, setCrosshair] = useState(false)
  const [editor, setEditor] = useState<EntityEditorProps['target'] | null>(null)
  const [liveStatus, setLiveStatus] = useState<LiveStatus>('connecting')
  const [notice, setNotice] = useState<string | null>(null)
  // Resolved by the map when it first draws things: the rest of the view's pages wait for it.
  const [firstDrawn] = useState(() => {
    let resolve: () => void = () => undefined
    const promise = new Promise<void>((done) => {
      resolve = done
    })
    return { promise, resolve }
  })
  const data = useMapData(api, view, bounds, firstDrawn.promise)
  const hub = useMemo(() => new LiveHub(), [])
  const queryClient = useQueryClient()
  useLiveInvalidation(hub)

  useEffect(() => {
    document.documentElement.lang = locale
    document.title = t('app.title')
  }, [locale, t])

  // The URL follows the view: replaced while the map moves, pushed when the selection or the page changes.
  const lastPushed = useRef({ selected: view.selected, page })
  useEffect(() => {
    // A page's own item (`/pacts?id=…`) stays while the page does.
    const item =
      page !== 'map' && lastPushed.current.page === page ? pageItemOf(window.location.search) : null
    const url = withPageItem(`${pathOf(page)}${formatViewState(view)}`, item)
    if (url === `${window.location.pathname}${window.location.search}`) return
    const push = lastPushed.current.selected !== view.selected || lastPushed.current.page !== page
    lastPushed.current = { selected: view.selected, page }
    if (push) window.history.pushState(null, '', url)
    else window.history.replaceState(null, '', url)
  }, [view, page])
  useEffect(() => {
    const onPop = () => {
      const next = parseViewState(window.location.search)
      lastPushed.current = { selected: next.selected, page: pageOf(window.location.pathname) }
      setPage(pageOf(window.location.pathname))
      setView(next)
      setFlyTo({ center: next.center, zoom: next.zoom })
    }
    window.addEventListener('popstate', onPop)
    return () => window.removeEventListener('popstate', onPop)
  }, [])

  // The map's first report of its box replaces the estimate only when it shows more than the estimate asked
  // for: a new box would abort the first page already on its way and ask again.
  const boundsEstimated = useRef(true)
  const onCameraChange = useCallback((camera: Camera, nextBounds: Bbox) => {
    setView((current) => ({ ...current, center: camera.center, zoom: camera.zoom }))
    const first = boundsEstimated.current
    boundsEstimated.current = false
    setBounds((current) => (first && current && bboxContains(current, nextBounds) ? current : nextBounds))
  }, [])
  const select = useCallback((id: string | null) => {
    setEditor(null)
    setView((current) => ({ ...current, selected: id }))
  }, [])
  const setWindow = (window: TimeWindow | null) => setView((current) => ({ ...current, window }))

  // Live updates: one connection; the viewport subscription follows the map and the filters.
  const viewRef = useRef(view)
  viewRef.current = view
  const dataRef = useRef(data)
  dataRef.current = data
  const liveRef = useRef<LiveConnection | null>(null)
  useEffect(() => {
    const protocol = window.location.protocol === 'https:' ? 'wss:' : 'ws:'
    const live = new LiveConnection({
      url: `${protocol}//${window.location.host}/ws`,
      token: () => session.accessToken(),
      refreshToken: () => session.refresh(),
      handlers: {
        onStatus: setLiveStatus,
        onReset: () => {
          // The feed could not replay what was missed: everything shown may be stale.
          dataRef.current.reload()
          void queryClient.invalidateQueries()
        },
        onEvent: (event: RealtimeEvent) => {
          hub.emit(event)
          const [family, action] = event.topic.split('.')
          if (family === 'entity') {
            if (action === 'deleted') {
              const id = (event.data as { id?: string }).id
              if (id) dataRef.current.remove(id)
              return
            }
            const feature = event.data as EntityFeature
            if (!feature?.id || !feature.properties) return
            const current = viewRef.current
            // Whether a thing matches a text search or belongs to an initiative is the API's to say.
            if (current.q || current.initiative) dataRef.current.reload()
            else if (matchesView(feature, current))
              dataRef.current.upsertLive(feature, session.user()?.id ?? null)
            else dataRef.current.remove(feature.id)
          }
        },
      },
    })
    liveRef.current = live
    hub.attach(live)
    live.start()
    return () => {
      hub.attach(null)
      live.stop()
    }
  }, [session, hub, queryClient])
  const userId = user?.id ?? null
  const firstUser = useRef(userId)
  useEffect(() => {
    if (firstUser.current === userId) return
    firstUser.current = userId
    liveRef.current?.restart()
  }, [userId])
  useEffect(() => {
    if (!bounds) return
    const bbox = clampBbox(bounds)
    liveRef.current?.setViewport({
      id: 'view',
      bbox,
      ...(view.kinds.length ? { kinds: view.kinds } : {}),
      ...(view.window ? windowQuery(view.window) : {}),
    })
  }, [bounds, view.kinds, view.window])

  // A deep link to a thing outside the view: move there once it is known.
  const centred = useRef<string | null>(null)
  useEffect(() => {
    const id = view.selected
    if (!id || centred.current === id || !bounds) return
    centred.current = id
    const known = data.features.find((feature) => feature.id === id)
    const check = (feature: EntityFeature) => {
      const box = geometryBbox(feature.geometry)
      if (box && !bboxIntersects(box, bounds)) {
        setFlyTo({ center: [(box[0] + box[2]) / 2, (box[1] + box[3]) / 2], zoom: Math.max(view.zoom, 14) })
      }
    }
    if (known) check(known)
    // The detail panel asks for the same thing at the same moment: one request serves both.
    else
      queryClient
        .fetchQuery({ queryKey: queryKeys.entity.detail(id), queryFn: () => api.getEntity(id) })
        .then((entity) => check(entity.value))
        .catch(() => undefined)
  }, [view.selected, bounds, data.features, api, view.zoom, queryClient])

  const inView = useMemo(() => {
    if (!bounds) return data.features
    return data.features.filter((feature) => {
      const box = geometryBbox(feature.geometry)
      return box ? bboxIntersects(box, bounds) : false
    })
  }, [data.features, bounds])

  const startDrawing = (kind: DrawKind, editing: Versioned<EntityFeature> | null = null) => {
    if (!user) {
      setAuthMode('login')
      return
    }
    setEditor(null)
    if (!editing) setView((current) => ({ ...current, selected: null }))
    setCrosshair(false)
    setDrawing({ ...newDrawing(kind), editing })
  }
  const finishedDrawing = (geometry: DrawnGeometry, editing: Versioned<EntityFeature> | null) => {
    setDrawing(null)
    if (editing) setEditor({ mode: 'edit', entity: editing, geometry })
    else setEditor({ mode: 'create', kind: defaultKindFor[geometry.type], geometry })
  }
  const drawingAction = (action: DrawingAction) => {
    if (!drawing) return
    const step = drawingStep(drawing, action)
    if (step.status === 'drawing') setDrawing({ ...step.state, editing: drawing.editing })
    else if (step.status === 'done') finishedDrawing(step.geometry, drawing.editing)
    else setDrawing(null)
  }
  const onDrawClick = (position: [number, number]) => drawingAction({ type: 'add', position })
  const finishDrawing = () => drawingAction({ type: 'finish' })
  const onSaved = (entity: Versioned<EntityFeature>) => {
    setEditor(null)
    data.upsert(entity.value)
    queryClient.setQueryData(queryKeys.entity.detail(entity.value.id), entity)
    void queryClient.invalidateQueries({ queryKey: queryKeys.entity.all(entity.value.id) })
    setView((current) => ({ ...current, selected: entity.value.id }))
    // A thing shows from its zoomLevel in: the map goes close enough to show what was just saved.
    if (!shownAtZoom(entity.value.properties.zoomLevel, view.zoom)) {
      const box = geometryBbox(entity.value.geometry)
      if (box)
        setFlyTo({
          center: [(box[0] + box[2]) / 2, (box[1] + box[3]) / 2],
          zoom: entity.value.properties.zoomLevel,
        })
    }
    setNotice(t('editor.saved'))
  }

  // A write queued offline landed: put it in place as if it had just been sent.
  useOutboxLanded((item: OutboxItem, created: Created) => {
    if (item.kind === 'entity' || item.kind === 'entity-edit') {
      const entity = created as Versioned<EntityFeature>
      data.upsert(entity.value)
      queryClient.setQueryData(queryKeys.entity.detail(entity.value.id), entity)
    } else if (item.entityId) {
      void queryClient.invalidateQueries({ queryKey: queryKeys.thread.all(item.entityId) })
    }
  })

  const goTo = (next: Page) => {
    setPage(next)
    if (next !== 'map' && pages[next].requiresSignIn && !user) setAuthMode('login')
  }
  const showOnMap = (id: string) => {
    setPage('map')
    select(id)
  }
  // A page's address opens it only for someone it is offered to (a visitor is first asked to log in); anyone else
  // sees the map, as if the address were unknown.
  const addressed = page === 'map' ? null : pages[page]
  const openPage =
    addressed && ((addressed.requiresSignIn && !user) || addressed.offeredTo(user)) ? addressed : null
  const OpenPage = openPage?.component

  const canFinish = !!drawing && drawingCanFinish(drawing)
  return (
    <div className={`app page-${page}`}>
      <a className="skip-link" href="#side">
        {t('app.skipToList')}
      </a>
      <header className="topbar">
        <a
          className="brand"
          href="/"
          onClick={(event) => {
            event.preventDefault()
            goTo('map')
          }}
        >
          {t('app.title')}
        </a>
        <nav aria-label={t('nav.label')}>
          <button
            type="button"
            aria-current={page === 'map' ? 'page' : undefined}
            onClick={() => goTo('map')}
            data-testid="nav-map"
          >
            {t('nav.map')}
          </button>
          {pageOrder
            .filter((name) => !pages[name].hiddenFromNavigation && pages[name].offeredTo(user))
            .map((name) => (
              <button
                key={name}
                type="button"
                aria-current={page === name ? 'page' : undefined}
                onClick={() => goTo(name)}
                data-testid={`nav-${name}`}
              >
                {t(pages[name].label)}
              </button>
            ))}
        </nav>
        <span className={`live live-${liveStatus}`} title={t(`live.${liveStatus}`)} data-testid="live-status">
          <span className="visually-hidden">{t(`live.${liveStatus}`)}</span>
        </span>
        <OutboxStatus />
        <label className="language">
          <span className="visually-hidden">{t('nav.language')}</span>
          <select
            value={locale}
            onChange={(event) => chooseLocale(event.target.value as Locale)}
            data-testid="language"
          >
            <option value="it">Italiano</option>
            <option value="en">English</option>
          </select>
        </label>
        {user ? (
          <span className="account">
            <Notifications key={user.id} api={api} hub={hub} userId={user.id} onSelect={showOnMap} />
            <button
              type="button"
              className="link"
              aria-current={page === 'account' ? 'page' : undefined}
              aria-label={t('nav.accountOf', { name: user.displayName })}
              onClick={() => goTo('account')}
              data-testid="user-name"
            >
              {user.displayName}
            </button>
            <button type="button" onClick={() => void session.signOut()} data-testid="logout">
              {t('auth.logout')}
            </button>
          </span>
        ) : (
          <span className="account">
            <button type="button" onClick={() => setAuthMode('login')} data-testid="login">
              {t('auth.login')}
            </button>
            <button type="button" onClick={() => setAuthMode('register')} data-testid="register">
              {t('auth.register')}
            </button>
          </span>
        )}
      </header>
      {notice && (
        <p className="notice" role="status" onAnimationEnd={() => setNotice(null)}>
          {notice}
        </p>
      )}
      {OpenPage && openPage ? (
        openPage.requiresSignIn && !user ? (
          <p className="loading-panel">{t('nav.signInFirst')}</p>
        ) : (
          <Suspense fallback={<p className="loading-panel">{t('common.loading')}</p>}>
            <OpenPage
              api={api}
              user={user}
              hub={hub}
              session={session}
              showOnMap={showOnMap}
              goTo={goTo}
              setLocale={onLocale}
              linkToken={linkToken}
              openLogin={() => setAuthMode('login')}
            />
          </Suspense>
        )
      ) : (
        <div className="workspace">
          <div className="map-column">
            {view.initiative && (
              <InitiativeChip
                api={api}
                slug={view.initiative}
                onClear={() => setView((current) => ({ ...current, initiative: null }))}
              />
            )}
            <div className="map-tools" role="toolbar" aria-label={t('create.label')}>
              {drawing ? (
                <>
                  <span role="status" data-testid="drawing-status">
                    {drawing.kind === 'Point'
                      ? drawing.editing
                        ? t('create.clickNewPlace')
                        : t('create.clickPoint')
                      : t('create.clickVertices', { count: drawing.vertices.length })}
                  </span>
                  {drawing.kind !== 'Point' && (
                    <>
                      <button
                        type="button"
                        disabled={drawing.vertices.length === 0}
                        onClick={() => drawingAction({ type: 'undo' })}
                        data-testid="draw-undo"
                      >
                        {t('create.undo')}
                      </button>
                      <button
                        type="button"
                        disabled={!canFinish}
                        onClick={finishDrawing}
                        data-testid="draw-finish"
                      >
                        {t('create.finish')}
                      </button>
                    </>
                  )}
                  <button
                    type="button"
                    onClick={() => drawingAction({ type: 'cancel' })}
                    data-testid="draw-cancel"
                  >
                    {t('common.cancel')}
                  </button>
                </>
              ) : (
                <>
                  <button type="button" onClick={() => startDrawing('Point')} data-testid="add-point">
                    {t('create.point')}
                  </button>
                  <button type="button" onClick={() => startDrawing('LineString')} data-testid="add-line">
                    {t('create.line')}
                  </button>
                  <button type="button" onClick={() => startDrawing('Polygon')} data-testid="add-polygon">
                    {t('create.polygon')}
                  </button>
                </>
              )}
              <FormMessage message={data.error && t('map.loadFailed')} as="span" />
            </div>
            {drawing && (
              <Suspense fallback={null}>
                <PlacingTools
                  api={api}
                  kind={drawing.kind}
                  near={view.center}
                  features={data.features}
                  onPlace={onDrawClick}
                  crosshair={crosshair}
                  onCrosshair={setCrosshair}
                />
              </Suspense>
            )}
            <OfflineNotice />
            <MapView
              initialCamera={initialCamera.current}
              features={data.features}
              nothingToDraw={data.firstViewSettled && data.features.length === 0}
              revision={data.revision}
              selected={view.selected}
              drawing={drawing}
              onCameraChange={onCameraChange}
              onSelect={select}
              onDrawClick={onDrawClick}
              onDrawFinish={finishDrawing}
              onFirstFeatures={firstDrawn.resolve}
              flyTo={flyTo}
              overlay={
                drawing &&
                crosshair && (
                  <Suspense fallback={null}>
                    <Crosshair
                      kind={drawing.kind}
                      vertexCount={drawing.vertices.length}
                      features={data.features}
                      onPlace={onDrawClick}
                      onUndo={() => drawingAction({ type: 'undo' })}
                      onCancel={() => drawingAction({ type: 'cancel' })}
                    />
                  </Suspense>
                )
              }
            />
            <Timeline
              window={view.window}
              reference={data.timeline.reference}
              slots={data.timeline.slots}
              counts={data.timeline.counts}
              truncated={data.timeline.truncated}
              onChange={setWindow}
            />
          </div>
          <div className={editor || view.selected ? 'side sheet' : 'side'} id="side">
            {editor && user ? (
              <Suspense fallback={<p className="loading-panel">{t('common.loading')}</p>}>
                <EntityEditor
                  key={
                    editor.mode === 'edit' ? `${editor.entity.value.id}:${editor.entity.version}` : 'create'
                  }
                  api={api}
                  userId={user.id}
                  target={editor}
                  onSaved={onSaved}
                  onQueued={(mode) => {
                    setEditor(null)
                    setNotice(
                      screenI18n(i18n, outboxMessages).m(mode === 'edit' ? 'queued.edit' : 'queued.entity'),
                    )
                  }}
                  onCancel={() => setEditor(null)}
                />
              </Suspense>
            ) : view.selected ? (
              <DetailPanel
                api={api}
                id={view.selected}
                user={user}
                hub={hub}
                tokens={session}
                onClose={() => select(null)}
                onSelect={select}
                onEdit={(entity) => setEditor({ mode: 'edit', entity })}
                onRedraw={(entity) => startDrawing(drawKindOf(entity.value.geometry.type), entity)}
                onLogin={() => setAuthMode('login')}
                onDeleted={(id) => {
                  data.remove(id)
                  select(null)
                }}
              />
            ) : (
              <>
                <Filters
                  value={view}
                  onChange={(filters) => setView((current) => ({ ...current, ...filters }))}
                />
                <CalendarControl bounds={bounds} window={view.window} />
                <PendingThings />
                <Wall
                  features={inView}
                  loading={data.loading}
                  complete={data.complete}
                  searching={!!view.q}
                  selected={view.selected}
                  onSelect={select}
                />
              </>
            )}
          </div>
        </div>
      )}
      {authMode && (
        <AuthDialog api={api} session={session} initialMode={authMode} onClose={() => setAuthMode(null)} />
      )}
    </div>
  )
}
