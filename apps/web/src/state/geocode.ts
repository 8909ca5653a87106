import type { Position } from './coordinates'

/**
 * Finding a place by name without an external geocoder: the neighbourhoods of the city (a small static list)
 * and the things already on the map, by title. Names are compared without case or accents, so "cittá" finds
 * "Città" and "roccafranca" finds "Cascina Roccafranca".
 */

export interface PlaceCandidate {
  /** Unique among the candidates: `place:<name>` or the thing's id. */
  id: string
  name: string
  /** 'neighbourhood' for the static list, or the thing's kind. */
  kind: string
  position: Position
}

/** How many results a search shows: a combobox longer than this is read out too slowly. */
export const placeResultsMax = 8
/** Shorter text matches too much to be useful. */
export const placeQueryLengthMin = 2

export function normalizeName(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .replace(/[^\p{Letter}\p{Number}]+/gu, ' ')
    .trim()
}

/** 0 the same name, 1 the name starts with it, 2 a word starts with it, 3 it is inside; null no match. */
export function matchRank(name: string, query: string): number | null {
  const n = normalizeName(name)
  const q = normalizeName(query)
  if (!q) return null
  if (n === q) return 0
  if (n.startsWith(q)) return 1
  if (n.split(' ').some((_, index, words) => words.slice(index).join(' ').startsWith(q))) return 2
  if (n.includes(q)) return 3
  return null
}

/** Metres between two [lon, lat] positions (haversine on a sphere of the Earth's mean radius). */
export function distanceMetres(a: Position, b: Position): number {
  const radius = 6_371_008.8
  const toRad = Math.PI / 180
  const dLat = (b[1] - a[1]) * toRad
  const dLon = (b[0] - a[0]) * toRad
  const h =
    Math.sin(dLat / 2) ** 2 + Math.cos(a[1] * toRad) * Math.cos(b[1] * toRad) * Math.sin(dLon / 2) ** 2
  return 2 * radius * Math.asin(Math.min(1, Math.sqrt(h)))
}

/**
 * The candidates that match the text, best first: by how well the name matches, then neighbourhoods before
 * things (a name of a quartiere is what a person most likely means), then nearest to `near`, then by name.
 * One result per name and place: a thing found both on the map and by the API's search counts once.
 */
export function rankPlaces(
  candidates: readonly PlaceCandidate[],
  query: string,
  near: Position | null,
  max = placeResultsMax,
): PlaceCandidate[] {
  if (normalizeName(query).length < placeQueryLengthMin) return []
  const seen = new Set<string>()
  const ranked: { candidate: PlaceCandidate; rank: number; distance: number }[] = []
  for (const candidate of candidates) {
    if (seen.has(candidate.id)) continue
    const rank = matchRank(candidate.name, query)
    if (rank === null) continue
    seen.add(candidate.id)
    ranked.push({ candidate, rank, distance: near ? distanceMetres(near, candidate.position) : 0 })
  }
  ranked.sort(
    (a, b) =>
      a.rank - b.rank ||
      Number(b.candidate.kind === 'neighbourhood') - Number(a.candidate.kind === 'neighbourhood') ||
      a.distance - b.distance ||
      a.candidate.name.localeCompare(b.candidate.name),
  )
  return ranked.slice(0, max).map((entry) => entry.candidate)
}

/** The candidate nearest to a position, with its distance, or null when there are none. */
export function nearestPlace(
  candidates: readonly PlaceCandidate[],
  position: Position,
): { candidate: PlaceCandidate; metres: number } | null {
  let best: { candidate: PlaceCandidate; metres: number } | null = null
  for (const candidate of candidates) {
    const metres = distanceMetres(position, candidate.position)
    if (!best || metres < best.metres) best = { candidate, metres }
  }
  return best
}

/** The point a thing is found at: a point itself, or the middle of its box for lines and areas. */
export function representativePoint(geometry: { type: string; coordinates: unknown }): Position | null {
  const positions: Position[] = []
  const walk = (value: unknown) => {
    if (!Array.isArray(value)) return
    if (typeof value[0] === 'number' && typeof value[1] === 'number') positions.push([value[0], value[1]])
    else for (const item of value) walk(item)
  }
  walk(geometry.coordinates)
  if (positions.length === 0) return null
  if (geometry.type === 'Point') return positions[0] as Position
  const lons = positions.map((position) => position[0])
  const lats = positions.map((position) => position[1])
  return [(Math.min(...lons) + Math.max(...lons)) / 2, (Math.min(...lats) + Math.max(...lats)) / 2]
}
