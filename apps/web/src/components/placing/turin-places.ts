import type { PlaceCandidate } from '../../state/geocode'

/**
 * Turin's neighbourhoods (quartieri and borgate), each at an approximate centre (WGS84, to about 300 m): what
 * people name when they say where something is. The demo data is in Turin; the list travels with the placing
 * tools, which load only when someone places a thing, so no request leaves for an outside geocoder.
 */
const neighbourhoods: readonly [name: string, lat: number, lon: number][] = [
  ['Centro', 45.0703, 7.6869],
  ['Quadrilatero Romano', 45.075, 7.681],
  ['Crocetta', 45.059, 7.668],
  ['San Salvario', 45.056, 7.68],
  ['Vanchiglia', 45.072, 7.7],
  ['Vanchiglietta', 45.07, 7.71],
  ['Borgo Po', 45.062, 7.702],
  ['Madonna del Pilone', 45.074, 7.717],
  ['Sassi', 45.08, 7.725],
  ['Cavoretto', 45.039, 7.694],
  ['Aurora', 45.084, 7.688],
  ['Valdocco', 45.08, 7.676],
  ['Barriera di Milano', 45.096, 7.695],
  ['Regio Parco', 45.09, 7.705],
  ['Rebaudengo', 45.106, 7.696],
  ['Falchera', 45.126, 7.698],
  ['Barca', 45.1, 7.715],
  ['Bertolla', 45.104, 7.728],
  ['Borgo Vittoria', 45.105, 7.67],
  ['Madonna di Campagna', 45.101, 7.658],
  ['Lucento', 45.099, 7.634],
  ['Vallette', 45.111, 7.631],
  ['San Donato', 45.08, 7.665],
  ['Campidoglio', 45.081, 7.656],
  ['Cit Turin', 45.076, 7.662],
  ['Cenisia', 45.071, 7.653],
  ['San Paolo', 45.065, 7.642],
  ['Pozzo Strada', 45.065, 7.625],
  ['Parella', 45.082, 7.63],
  ['Santa Rita', 45.044, 7.644],
  ['Mirafiori Nord', 45.044, 7.625],
  ['Mirafiori Sud', 45.026, 7.629],
  ['Lingotto', 45.033, 7.663],
  ['Nizza Millefonti', 45.04, 7.67],
]

export const turinPlaces: readonly PlaceCandidate[] = neighbourhoods.map(([name, lat, lon]) => ({
  id: `place:${name}`,
  name,
  kind: 'neighbourhood',
  position: [lon, lat],
}))
