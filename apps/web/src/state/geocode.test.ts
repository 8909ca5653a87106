import { describe, expect, it } from 'vitest'
import {
  distanceMetres,
  matchRank,
  nearestPlace,
  type PlaceCandidate,
  rankPlaces,
  representativePoint,
} from './geocode'

const place = (id: string, name: string, kind: string, position: [number, number]): PlaceCandidate => ({
  id,
  name,
  kind,
  position,
})

const candidates = [
  place('place:san-salvario', 'San Salvario', 'neighbourhood', [7.68, 45.056]),
  place('a', 'Casa del Quartiere di San Salvario', 'space', [7.6795, 45.0575]),
  place('b', 'Cascina Roccafranca', 'space', [7.6265, 45.0425]),
  place('place:crocetta', 'Crocetta', 'neighbourhood', [7.668, 45.059]),
  place('c', 'Città di Torino', 'group', [7.6813, 45.0731]),
]

describe('finding a place by name', () => {
  it('ranks the same name, then a prefix, then a word, then inside the name', () => {
    expect(matchRank('San Salvario', 'san salvario')).toBe(0)
    expect(matchRank('San Salvario', 'san sal')).toBe(1)
    expect(matchRank('Cascina Roccafranca', 'rocca')).toBe(2)
    expect(matchRank('Cascina Roccafranca', 'franca')).toBe(3)
    expect(matchRank('Cascina Roccafranca', 'vallette')).toBeNull()
  })

  it('ignores case and accents', () => {
    expect(matchRank('Città di Torino', 'CITTA')).toBe(1)
  })

  it('puts the neighbourhood before a thing named after it, and nearer things before farther ones', () => {
    const found = rankPlaces(candidates, 'salvario', [7.68, 45.07])
    expect(found.map((candidate) => candidate.id)).toEqual(['place:san-salvario', 'a'])
    const near = [place('far', 'Orto', 'space', [7.7, 45.1]), place('near', 'Orto', 'space', [7.68, 45.07])]
    expect(rankPlaces(near, 'orto', [7.68, 45.07]).map((candidate) => candidate.id)).toEqual(['near', 'far'])
  })

  it('answers nothing to a text too short, counts each candidate once, and stops at the maximum', () => {
    expect(rankPlaces(candidates, 's', null)).toEqual([])
    expect(rankPlaces([...candidates, ...candidates], 'cascina', null)).toHaveLength(1)
    expect(rankPlaces(candidates, 'c', null, 1)).toHaveLength(0)
    expect(rankPlaces(candidates, 'ca', null, 2)).toHaveLength(2)
  })

  it('finds the nearest thing and how far it is', () => {
    const nearest = nearestPlace(candidates, [7.6796, 45.0576])
    expect(nearest?.candidate.id).toBe('a')
    expect(nearest?.metres).toBeLessThan(20)
    expect(nearestPlace([], [0, 0])).toBeNull()
    // A degree of latitude is about 111 km.
    expect(distanceMetres([7, 45], [7, 46])).toBeGreaterThan(110_000)
    expect(distanceMetres([7, 45], [7, 46])).toBeLessThan(112_000)
  })

  it('places a line or an area at the middle of its box', () => {
    expect(representativePoint({ type: 'Point', coordinates: [7, 45] })).toEqual([7, 45])
    expect(
      representativePoint({
        type: 'Polygon',
        coordinates: [
          [
            [7, 45],
            [8, 45],
            [8, 46],
            [7, 45],
          ],
        ],
      }),
    ).toEqual([7.5, 45.5])
  })
})
