import type { EntityFeature, EntityKind } from '@quartiere/contracts'
import {
  AttributionControl,
  Layer,
  Map as MapGl,
  type MapLayerMouseEvent,
  type MapRef,
  Marker,
  NavigationControl,
  Source,
  type ViewStateChangeEvent,
} from '@vis.gl/react-maplibre'
import {
  type GeoJSONSource,
  type GeoJSONSourceSpecification,
  type Map as MaplibreMap,
  prewarm,
  setWorkerUrl,
} from 'maplibre-gl'
import 'maplibre-gl/dist/maplibre-gl.css'
import maplibreWorkerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?worker&url'
import { type ReactNode, useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { useI18n } from '../i18n/i18n'
import { addBasemap, type Basemap, loadBasemap, startStyle } from '../map/basemap'
import { entityKindList, kindIconSvg } from '../map/kinds'
import {
  clusterLayerId,
  clusterMaxZoom,
  clusterRadiusPx,
  clusters,
  draftLine,
  draftSourceId,
  draftVertices,
  entityIcons,
  entityLayerIds,
  entityPoints,
  iconImageId,
  pointSelected,
  pointsSourceId,
  shapeFills,
  shapeLines,
  shapeSelected,
  shapesSourceId,
} from '../map/layer-styles'
import type { DrawingState } from '../state/drawing'
import type { Bbox } from '../state/entity-cache'

// MapLibre 6 runs its tile work in a module worker it loads by URL: bundle it and say where it went. Prewarmed
// at once, so the worker script loads and starts while React renders, not after the map is built.
setWorkerUrl(maplibreWorkerUrl)
prewarm()

/**
 * How long after the map is up the basemap waits for the first things to be drawn before it is fetched and
 * added anyway. MapLibre has one worker here: the offline basemap's world-wide GeoJSON would keep it busy for
 * seconds, so the things' tiles go first.
 */
const basemapDeferMs = 4000

/** The stages of what the map draws, in order (see MapView). */
const drawStages = ['points', 'shapes', 'decorations'] as const
type DrawStage = (typeof drawStages)[number]

export interface Camera {
  center: [number, number]
  zoom: number
}

export interface MapViewProps {
  initialCamera: Camera
  features: EntityFeature[]
  /** The view is loaded and holds nothing: the basemap need not wait for things to be drawn first. */
  nothingToDraw: boolean
  revision: number
  selected: string | null
  /** While drawing, clicks add vertices instead of selecting, and a double-click finishes. */
  drawing: DrawingState | null
  onCameraChange(camera: Camera, bounds: Bbox): void
  onSelect(id: string | null): void
  onDrawClick(position: [number, number]): void
  onDrawFinish(): void
  /** The first things are on screen, or the loaded view has none (the first call is what counts). */
  onFirstFeatures(): void
  /** A request to move the camera (a deep link, a list item): applied once per new value. */
  flyTo: Camera | null
  /** Drawn inside the map (it may `useMap()`): the keyboard crosshair while placing. */
  overlay?: ReactNode
}

interface ClusterLabel {
  id: number
  count: number
  lon: number
  lat: number
}

declare global {
  interface Window {
    /** The map, for the browser tests' queryRenderedFeatures and for curious developers. */
    __quartiere?: { map: MaplibreMap; renderedEntities(): { id: string; kind: string; title: string }[] }
  }
}

/** The GeoJSON the map sources take (the geojson typings are not a dependency of this package). */
type Position = [number, number]
type MapGeometry =
  | { type: 'Point'; coordinates: Position }
  | { type: 'LineString'; coordinates: Position[] }
  | { type: 'Polygon'; coordinates: Position[][] }
interface MapFeature {
  type: 'Feature'
  geometry: MapGeometry
  properties: Record<string, unknown>
}
type SourceData = GeoJSONSourceSpecification['data']
const collection = (features: MapFeature[]) =>
  ({ type: 'FeatureCollection', features }) as unknown as SourceData

/** Splits things into the clustered point source and the shape source; Multi* become their parts. */
function toSources(features: EntityFeature[]) {
  const points: MapFeature[] = []
  const shapes: MapFeature[] = []
  for (const feature of features) {
    const properties = { id: feature.id, kind: feature.properties.kind, title: feature.properties.title }
    const geometry = feature.geometry as
      | MapGeometry
      | { type: 'MultiPoint'; coordinates: Position[] }
      | { type: 'MultiLineString'; coordinates: Position[][] }
      | { type: 'MultiPolygon'; coordinates: Position[][][] }
    switch (geometry.type) {
      case 'Point':
        points.push({ type: 'Feature', geometry, properties })
        break
      case 'MultiPoint':
        for (const coordinates of geometry.coordinates)
          points.push({ type: 'Feature', geometry: { type: 'Point', coordinates }, properties })
        break
      case 'LineString':
      case 'Polygon':
        shapes.push({ type: 'Feature', geometry, properties })
        break
      case 'MultiLineString':
        for (const coordinates of geometry.coordinates)
          shapes.push({ type: 'Feature', geometry: { type: 'LineString', coordinates }, properties })
        break
      case 'MultiPolygon':
        for (const coordinates of geometry.coordinates)
          shapes.push({ type: 'Feature', geometry: { type: 'Polygon', coordinates }, properties })
        break
      default:
        break
    }
  }
  return {
    points: collection(points),
    shapes: collection(shapes),
    pointCount: points.length,
    shapeCount: shapes.length,
  }
}

function draftCollection(drawing: DrawingState | null): SourceData {
  const vertices = drawing?.vertices ?? null
  const kind = drawing?.kind ?? null
  const features: MapFeature[] = (vertices ?? []).map((coordinates) => ({
    type: 'Feature',
    properties: {},
    geometry: { type: 'Point', coordinates },
  }))
  if (vertices && vertices.length >= 2 && kind !== 'Point') {
    const ring = kind === 'Polygon' ? [...vertices, vertices[0] as [number, number]] : vertices
    features.push({ type: 'Feature', properties: {}, geometry: { type: 'LineString', coordinates: ring } })
  }
  return collection(features)
}

/** Icons are drawn from SVG (no sprite server, no fonts) and added to the style after the first frame. */
function addKindIcons(map: MaplibreMap) {
  for (const kind of entityKindList as EntityKind[]) {
    const id = iconImageId(kind)
    if (map.hasImage(id)) continue
    const image = new Image(28, 28)
    image.onload = () => {
      if (!map.hasImage(id)) map.addImage(id, image, { pixelRatio: 1 })
    }
    image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(kindIconSvg(kind))}`
  }
}

function boundsOf(map: MaplibreMap): Bbox {
  const bounds = map.getBounds()
  return [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()]
}

const interactiveLayerIds = [clusterLayerId, ...entityLayerIds]
const canvasAttributes = { preserveDrawingBuffer: true }

export function MapView(props: MapViewProps) {
  const { t } = useI18n()
  const mapRef = useRef<MapRef>(null)
  const [basemap, setBasemap] = useState<Basemap | null>(null)
  const [clusterLabels, setClusterLabels] = useState<ClusterLabel[]>([])
  const firstFeaturesMarked = useRef(false)
  const featureCount = useRef(0)
  featureCount.current = props.features.length
  const { onCameraChange, onSelect, onDrawClick, onDrawFinish, onFirstFeatures } = props
  // What is drawn grows in stages, so that each stage's shader programs are compiled after the one before is
  // on screen: the points and clusters first, then the lines and polygons, then the kinds' icons and the
  // basemap; everything at the latest basemapDeferMs after the map is up.
  const [stage, setStage] = useState<DrawStage>('points')
  const advance = useCallback(
    (to: DrawStage) =>
      setStage((current) => (drawStages.indexOf(to) > drawStages.indexOf(current) ? to : current)),
    [],
  )
  const decorationsDue = stage === 'decorations'
  /** The map once loaded, as state: the basemap effect must run again when it arrives last. */
  const [readyMap, setReadyMap] = useState<MaplibreMap | null>(null)

  // The basemap's style is fetched only once it is due: parsing it (two megabytes for the offline one) on the
  // main thread would otherwise delay the first things on screen.
  useEffect(() => {
    if (!decorationsDue) return
    let cancelled = false
    void loadBasemap().then((loaded) => {
      performance.mark('quartiere:basemap-ready')
      if (!cancelled) setBasemap(loaded)
    })
    return () => {
      cancelled = true
    }
  }, [decorationsDue])

  // The features array is new whenever the data changed (its revision), so it is the right dependency.
  const sources = useMemo(() => toSources(props.features), [props.features])
  const shapesDue = stage !== 'points'
  // An empty view has no first things to wait for: the basemap comes at once, and whoever waits for the first
  // things drawn (the timeline's sample) is let go.
  useEffect(() => {
    if (!props.nothingToDraw) return
    advance('decorations')
    onFirstFeatures()
  }, [props.nothingToDraw, advance, onFirstFeatures])
  // A view with lines or polygons and no points shows them at once (and keeps them when points arrive).
  useEffect(() => {
    if (sources.pointCount === 0 && sources.shapeCount > 0) advance('shapes')
  }, [sources, advance])
  // New layer objects on every render would make the wrapper re-apply their filters and repaint forever.
  const selectedShapeLayer = useMemo(() => shapeSelected(props.selected), [props.selected])
  const selectedPointLayer = useMemo(() => pointSelected(props.selected), [props.selected])
  const draft = useMemo(() => draftCollection(props.drawing), [props.drawing])

  const loadedMap = useRef<MaplibreMap | null>(null)
  const refreshClusterLabels = useCallback(() => {
    const map = loadedMap.current
    if (!map?.getLayer(clusterLayerId)) return
    const seen = new Set<number>()
    const labels: ClusterLabel[] = []
    for (const feature of map.queryRenderedFeatures({ layers: [clusterLayerId] })) {
      const id = Number(feature.properties?.cluster_id)
      if (seen.has(id) || feature.geometry.type !== 'Point') continue
      seen.add(id)
      const [lon, lat] = feature.geometry.coordinates as [number, number]
      labels.push({ id, count: Number(feature.properties?.point_count ?? 0), lon, lat })
    }
    // Only a real change re-renders: an idle map must stay idle.
    setClusterLabels((current) =>
      current.length === labels.length &&
      current.every((label, index) => label.id === labels[index]?.id && label.count === labels[index]?.count)
        ? current
        : labels,
    )
  }, [])

  const renderedEntities = useCallback((on?: MaplibreMap) => {
    const map = on ?? loadedMap.current
    if (!map) return []
    const layers = entityLayerIds.filter((id) => map.getLayer(id))
    const unique = new Map<string, { id: string; kind: string; title: string }>()
    for (const feature of map.queryRenderedFeatures({ layers: [...layers] })) {
      const id = String(feature.properties?.id)
      unique.set(id, { id, kind: String(feature.properties?.kind), title: String(feature.properties?.title) })
    }
    return [...unique.values()]
  }, [])

  // When the first things appear on screen: the figure the browser test reports. Checked on every frame from
  // the map's very first (before its load event, which waits for every source), and once more at load.
  const markFirstFeatures = useCallback(
    (map: MaplibreMap) => {
      if (firstFeaturesMarked.current || featureCount.current === 0) return
      if (
        renderedEntities(map).length > 0 ||
        (map.getLayer(clusterLayerId) && map.queryRenderedFeatures({ layers: [clusterLayerId] }).length > 0)
      ) {
        firstFeaturesMarked.current = true
        performance.mark('quartiere:first-features')
        advance('shapes')
        onFirstFeatures()
      }
    },
    [renderedEntities, onFirstFeatures, advance],
  )
  // When the lines and polygons, which join after the first points, are on screen too: the browser test
  // reports it beside the first things. Checked only while there are shapes loaded and until found.
  const shapesMarked = useRef(false)
  const shapeCount = useRef(0)
  shapeCount.current = sources.shapeCount
  const markShapes = useCallback(
    (map: MaplibreMap) => {
      if (shapesMarked.current || shapeCount.current === 0 || !map.getLayer(shapeLines.id)) return
      if (map.queryRenderedFeatures({ layers: [shapeFills.id, shapeLines.id] }).length === 0) return
      shapesMarked.current = true
      performance.mark('quartiere:shapes-drawn')
      advance('decorations')
    },
    [advance],
  )
  // With no lines or polygons in view, the decorations follow once the map has settled with the shapes' layers.
  useEffect(() => {
    const map = mapRef.current?.getMap()
    if (!shapesDue || !map) return
    const settled = () => advance('decorations')
    map.once('idle', settled)
    return () => {
      map.off('idle', settled)
    }
  }, [shapesDue, advance])
  const onRender = useCallback(
    (event: { target: MaplibreMap }) => {
      markFirstFeatures(event.target)
      markShapes(event.target)
    },
    [markFirstFeatures, markShapes],
  )

  // The kinds' icons are rasterised and added with their layer, after the first frame (see decorationsDue).
  const iconsAdded = useRef<MaplibreMap | null>(null)
  useEffect(() => {
    const map = mapRef.current?.getMap()
    if (!decorationsDue || !map || iconsAdded.current === map) return
    iconsAdded.current = map
    addKindIcons(map)
    map.on('styleimagemissing', () => addKindIcons(map))
  }, [decorationsDue])

  const setUp = useCallback(
    (map: MaplibreMap) => {
      if (loadedMap.current === map) return
      loadedMap.current = map
      performance.mark('quartiere:map-load')
      setReadyMap(map)
      window.__quartiere = { map, renderedEntities }
      map.on('idle', refreshClusterLabels)
      markFirstFeatures(map)
      setTimeout(() => advance('decorations'), basemapDeferMs)
      onCameraChange(
        { center: [map.getCenter().lng, map.getCenter().lat], zoom: map.getZoom() },
        boundsOf(map),
      )
    },
    [onCameraChange, refreshClusterLabels, renderedEntities, markFirstFeatures, advance],
  )
  const onLoad = useCallback((event: { target: MaplibreMap }) => setUp(event.target), [setUp])

  // The basemap slides in under the things' layers, once it is known and due.
  useEffect(() => {
    if (!readyMap || !basemap || !decorationsDue) return
    addBasemap(readyMap, basemap.style, shapeFills.id)
    performance.mark('quartiere:basemap-added')
  }, [readyMap, basemap, decorationsDue])
  // The wrapper may reuse a map whose load event has passed (React's strict mode mounts twice): set up from
  // the instance itself too.
  useEffect(() => {
    const map = mapRef.current?.getMap()
    if (!map) return
    if (map.isStyleLoaded()) setUp(map)
    else map.once('load', () => setUp(map))
  })

  const onMoveEnd = useCallback(
    (event: ViewStateChangeEvent) => {
      const map = event.target
      onCameraChange(
        { center: [map.getCenter().lng, map.getCenter().lat], zoom: map.getZoom() },
        boundsOf(map),
      )
    },
    [onCameraChange],
  )

  const onClick = useCallback(
    (event: MapLayerMouseEvent) => {
      if (props.drawing) {
        onDrawClick([event.lngLat.lng, event.lngLat.lat])
        return
      }
      const feature = event.features?.[0]
      if (!feature) {
        onSelect(null)
        return
      }
      if (feature.layer.id === clusterLayerId) {
        const source = event.target.getSource(pointsSourceId) as GeoJSONSource | undefined
        const clusterId = Number(feature.properties?.cluster_id)
        if (!source || feature.geometry.type !== 'Point') return
        const center = feature.geometry.coordinates as [number, number]
        void source.getClusterExpansionZoom(clusterId).then((zoom) => {
          event.target.easeTo({ center, zoom })
        })
        return
      }
      onSelect(String(feature.properties?.id))
    },
    [props.drawing, onDrawClick, onSelect],
  )
  const onDblClick = useCallback(
    (event: MapLayerMouseEvent) => {
      if (!props.drawing) return
      // The double-click's own two clicks added its vertex (once: the state machine merges them); it finishes.
      event.preventDefault()
      onDrawFinish()
    },
    [props.drawing, onDrawFinish],
  )

  useEffect(() => {
    const map = mapRef.current?.getMap()
    if (map && props.flyTo) map.easeTo({ center: props.flyTo.center, zoom: props.flyTo.zoom, duration: 400 })
  }, [props.flyTo])

  return (
    <section
      className={props.drawing ? 'map drawing' : 'map'}
      aria-label={t('map.label')}
      data-basemap={basemap ? (basemap.offline ? 'offline' : 'street') : 'loading'}
    >
      <MapGl
        ref={mapRef}
        mapStyle={startStyle}
        initialViewState={{
          longitude: props.initialCamera.center[0],
          latitude: props.initialCamera.center[1],
          zoom: props.initialCamera.zoom,
        }}
        onLoad={onLoad}
        onRender={onRender}
        onMoveEnd={onMoveEnd}
        onClick={onClick}
        onDblClick={onDblClick}
        doubleClickZoom={!props.drawing}
        interactiveLayerIds={interactiveLayerIds}
        cursor={props.drawing ? 'crosshair' : undefined}
        attributionControl={false}
        // Keeps the canvas readable by the browser tests' screenshots.
        canvasContextAttributes={canvasAttributes}
      >
        <AttributionControl compact position="bottom-right" />
        <NavigationControl position="top-right" showCompass={false} />
        <Source
          id={pointsSourceId}
          type="geojson"
          data={sources.points}
          cluster
          clusterMaxZoom={clusterMaxZoom}
          clusterRadius={clusterRadiusPx}
        >
          <Layer {...clusters} />
          <Layer {...entityPoints} />
          {/* The icons join once the first things are drawn: their discs already show the kind, and the icon
              shader's compile (a tenth of a second in software WebGL) then no longer delays that first frame. */}
          {decorationsDue && <Layer {...entityIcons} beforeId={selectedPointLayer.id} />}
          <Layer {...selectedPointLayer} />
        </Source>
        {/* Lines and polygons join under the points right after the first points are drawn (or at once when
            there are no points): their layers bring three shader programs of their own (fill, line, and the
            tiles' clipping mask), a third of a second of compiling in software WebGL that would otherwise hold
            up the first frame. */}
        <Source id={shapesSourceId} type="geojson" data={sources.shapes}>
          {shapesDue && <Layer {...shapeFills} beforeId={clusterLayerId} />}
          {shapesDue && <Layer {...shapeLines} beforeId={clusterLayerId} />}
          {shapesDue && <Layer {...selectedShapeLayer} beforeId={clusterLayerId} />}
        </Source>
        <Source id={draftSourceId} type="geojson" data={draft}>
          <Layer {...draftLine} />
          <Layer {...draftVertices} />
        </Source>
        {clusterLabels.map((label) => (
          <Marker key={label.id} longitude={label.lon} latitude={label.lat} anchor="center">
            <span className="cluster-count" aria-hidden="true">
              {label.count}
            </span>
          </Marker>
        ))}
        {props.overlay}
      </MapGl>
      {basemap?.offline && <div className="basemap-offline">{t('map.offlineBasemap')}</div>}
    </section>
  )
}
