/**
 * The map's own small drawing mode (no drawing library): click to add vertices, undo the last, finish with a
 * button or a double-click, cancel. A pure state machine, so that the map only forwards clicks and the app
 * only reads the result.
 */

export type Position = [number, number]
export type DrawKind = 'Point' | 'LineString' | 'Polygon'

export type DrawnGeometry =
  | { type: 'Point'; coordinates: Position }
  | { type: 'LineString'; coordinates: Position[] }
  | { type: 'Polygon'; coordinates: Position[][] }

export interface DrawingState {
  kind: DrawKind
  vertices: Position[]
}

export type DrawingAction =
  | { type: 'add'; position: Position }
  | { type: 'undo' }
  | { type: 'finish' }
  | { type: 'cancel' }

/** What one action leads to: still drawing, a finished geometry, or nothing (cancelled). */
export type DrawingStep =
  | { status: 'drawing'; state: DrawingState }
  | { status: 'done'; geometry: DrawnGeometry }
  | { status: 'cancelled' }

/** Vertices closer than this (degrees, about a centimetre) are one: a double-click's second click adds none. */
export const samePlaceDeg = 1e-7
/** The API takes at most 10,000 vertices; a hand-drawn shape stops well before. */
export const drawnVerticesMax = 1000

export function minVertices(kind: DrawKind): number {
  return kind === 'Polygon' ? 3 : kind === 'LineString' ? 2 : 1
}

export function startDrawing(kind: DrawKind): DrawingState {
  return { kind, vertices: [] }
}

function samePlace(a: Position, b: Position): boolean {
  return Math.abs(a[0] - b[0]) < samePlaceDeg && Math.abs(a[1] - b[1]) < samePlaceDeg
}

/** Distinct vertices in order: a repeated click on the same place counts once. */
function distinct(vertices: readonly Position[]): Position[] {
  const result: Position[] = []
  for (const vertex of vertices) {
    const last = result[result.length - 1]
    if (!last || !samePlace(last, vertex)) result.push(vertex)
  }
  return result
}

export function canFinish(state: DrawingState): boolean {
  return distinct(state.vertices).length >= minVertices(state.kind)
}

/** The geometry the vertices make: a polygon's ring is closed here, as GeoJSON wants it. */
export function toGeometry(state: DrawingState): DrawnGeometry | null {
  const vertices = distinct(state.vertices)
  if (vertices.length < minVertices(state.kind)) return null
  switch (state.kind) {
    case 'Point':
      return { type: 'Point', coordinates: vertices[0] as Position }
    case 'LineString':
      return { type: 'LineString', coordinates: vertices }
    case 'Polygon': {
      const first = vertices[0] as Position
      const last = vertices[vertices.length - 1] as Position
      // Clicking the first vertex again to close the ring must not produce a doubled closing position.
      const open = samePlace(first, last) ? vertices.slice(0, -1) : vertices
      if (open.length < 3) return null
      return { type: 'Polygon', coordinates: [[...open, first]] }
    }
    default: {
      const unknown: never = state.kind
      return unknown
    }
  }
}

export function drawingStep(state: DrawingState, action: DrawingAction): DrawingStep {
  switch (action.type) {
    case 'add': {
      const last = state.vertices[state.vertices.length - 1]
      if (last && samePlace(last, action.position)) return { status: 'drawing', state }
      const next = { ...state, vertices: [...state.vertices, action.position].slice(0, drawnVerticesMax) }
      // A point needs one click: it is finished by it.
      if (state.kind === 'Point') {
        const geometry = toGeometry(next)
        return geometry ? { status: 'done', geometry } : { status: 'drawing', state: next }
      }
      return { status: 'drawing', state: next }
    }
    case 'undo':
      return { status: 'drawing', state: { ...state, vertices: state.vertices.slice(0, -1) } }
    case 'finish': {
      const geometry = toGeometry(state)
      return geometry ? { status: 'done', geometry } : { status: 'drawing', state }
    }
    case 'cancel':
      return { status: 'cancelled' }
    default: {
      const unknown: never = action
      return unknown
    }
  }
}

/** The kind of drawing that replaces a thing's geometry: its own type (Multi* are redrawn as one part). */
export function drawKindOf(geometryType: string): DrawKind {
  if (geometryType === 'Polygon' || geometryType === 'MultiPolygon') return 'Polygon'
  if (geometryType === 'LineString' || geometryType === 'MultiLineString') return 'LineString'
  return 'Point'
}
