import type { EntityKind } from '@quartiere/contracts'
import type {
  CircleLayerSpecification,
  ExpressionSpecification,
  FillLayerSpecification,
  LineLayerSpecification,
  SymbolLayerSpecification,
} from 'maplibre-gl'
import { entityKindList, kindStyle } from './kinds'

/** Points are clustered in one source; lines and polygons, which a cluster cannot stand for, in another. */
export const pointsSourceId = 'entities-points'
export const shapesSourceId = 'entities-shapes'
/** Below this zoom points merge into clusters; beyond it every point shows on its own. */
export const clusterMaxZoom = 16
export const clusterRadiusPx = 48

/** The layers that show things (what tests and clicks query). */
export const entityLayerIds = ['entity-points', 'entity-icons', 'shape-fills', 'shape-lines'] as const
export const clusterLayerId = 'clusters'

/** `match` on the kind property: each kind's colour, grey for anything unknown. */
const kindColor: ExpressionSpecification = [
  'match',
  ['get', 'kind'],
  ...entityKindList.flatMap((kind) => [kind, kindStyle[kind].color]),
  '#666666',
] as unknown as ExpressionSpecification

export const iconImageId = (kind: EntityKind) => `kind-${kind}`

const isPolygon: ExpressionSpecification = ['==', ['geometry-type'], 'Polygon']
const isLine: ExpressionSpecification = ['==', ['geometry-type'], 'LineString']
const selectedFilter = (selected: string | null): ExpressionSpecification => [
  '==',
  ['get', 'id'],
  selected ?? '',
]

export const shapeFills: FillLayerSpecification = {
  id: 'shape-fills',
  type: 'fill',
  source: shapesSourceId,
  filter: isPolygon,
  // No antialiased outline: shape-lines draws every polygon's edge, and the outline is a shader program of its
  // own to compile before the first frame.
  paint: { 'fill-color': kindColor, 'fill-opacity': 0.18, 'fill-antialias': false },
}

export const shapeLines: LineLayerSpecification = {
  id: 'shape-lines',
  type: 'line',
  source: shapesSourceId,
  layout: { 'line-join': 'round', 'line-cap': 'round' },
  paint: {
    'line-color': kindColor,
    'line-width': ['case', isLine, 4, 2],
    'line-opacity': 0.9,
  },
}

export const shapeSelected = (selected: string | null): LineLayerSpecification => ({
  id: 'shape-selected',
  type: 'line',
  source: shapesSourceId,
  filter: selectedFilter(selected),
  paint: { 'line-color': '#111111', 'line-width': 6, 'line-opacity': 0.6 },
})

/** Cluster circles grow with their count; the count itself is an HTML label (no remote fonts needed). */
export const clusters: CircleLayerSpecification = {
  id: clusterLayerId,
  type: 'circle',
  source: pointsSourceId,
  filter: ['has', 'point_count'],
  paint: {
    'circle-color': ['step', ['get', 'point_count'], '#4f7cac', 25, '#3c5a99', 250, '#2a3d66'],
    'circle-radius': ['step', ['get', 'point_count'], 16, 25, 22, 250, 30],
    'circle-stroke-color': '#ffffff',
    'circle-stroke-width': 2,
    'circle-opacity': 0.9,
  },
}

/** A coloured disc under each icon: it shows the kind at once, even before the icons are decoded. */
export const entityPoints: CircleLayerSpecification = {
  id: 'entity-points',
  type: 'circle',
  source: pointsSourceId,
  filter: ['!', ['has', 'point_count']],
  paint: {
    'circle-color': kindColor,
    // Always 11 here (the filter leaves clusters out), but written per feature like the clusters' radius, so
    // that both circle layers share one shader program: one compile fewer before the first frame.
    'circle-radius': ['case', ['has', 'point_count'], 16, 11],
    'circle-stroke-color': '#ffffff',
    'circle-stroke-width': 2,
  },
}

export const entityIcons: SymbolLayerSpecification = {
  id: 'entity-icons',
  type: 'symbol',
  source: pointsSourceId,
  filter: ['!', ['has', 'point_count']],
  layout: {
    'icon-image': ['concat', 'kind-', ['get', 'kind']],
    'icon-size': 0.85,
    'icon-allow-overlap': true,
    'icon-ignore-placement': true,
  },
}

export const pointSelected = (selected: string | null): CircleLayerSpecification => ({
  id: 'point-selected',
  type: 'circle',
  source: pointsSourceId,
  filter: ['all', ['!', ['has', 'point_count']], selectedFilter(selected)],
  paint: {
    'circle-color': 'rgba(0,0,0,0)',
    'circle-radius': 17,
    'circle-stroke-color': '#111111',
    'circle-stroke-width': 3,
  },
})

/** The shape being drawn in the editor: its vertices and its line or ring. */
export const draftSourceId = 'draft'
export const draftLine: LineLayerSpecification = {
  id: 'draft-line',
  type: 'line',
  source: draftSourceId,
  paint: { 'line-color': '#111111', 'line-width': 2, 'line-dasharray': [2, 1] },
}
export const draftVertices: CircleLayerSpecification = {
  id: 'draft-vertices',
  type: 'circle',
  source: draftSourceId,
  filter: ['==', ['geometry-type'], 'Point'],
  paint: {
    'circle-radius': 5,
    'circle-color': '#ffffff',
    'circle-stroke-color': '#111111',
    'circle-stroke-width': 2,
  },
}
