import { describe, expect, it } from 'vitest'
import { formatCoordinates, looksLikeCoordinates, parseCoordinates } from './coordinates'

describe('typed coordinates', () => {
  it('reads latitude then longitude, written the ways people write them', () => {
    for (const text of [
      '45.07, 7.68',
      '45.07 7.68',
      '45.07,7.68',
      ' 45.07 ;7.68 ',
      '45,07 7,68',
      '45,07; 7,68',
      '45.07° 7.68°',
    ])
      expect(parseCoordinates(text), text).toEqual({ ok: true, position: [7.68, 45.07] })
    expect(parseCoordinates('-33.8688, 151.2093')).toEqual({ ok: true, position: [151.2093, -33.8688] })
  })

  it('says what is wrong: the shape, or a value out of range', () => {
    expect(parseCoordinates('45.07')).toEqual({ ok: false, reason: 'format' })
    expect(parseCoordinates('45.07, 7.68, 3')).toEqual({ ok: false, reason: 'format' })
    expect(parseCoordinates('45.07.1 7.68')).toEqual({ ok: false, reason: 'format' })
    expect(parseCoordinates('via Po 12')).toEqual({ ok: false, reason: 'format' })
    expect(parseCoordinates('95, 7.68')).toEqual({ ok: false, reason: 'latitude' })
    expect(parseCoordinates('45, 190')).toEqual({ ok: false, reason: 'longitude' })
  })

  it('tells coordinates from an address', () => {
    expect(looksLikeCoordinates('45.07, 7.68')).toBe(true)
    expect(looksLikeCoordinates('95, 7')).toBe(true)
    expect(looksLikeCoordinates('via Po 12')).toBe(false)
    expect(looksLikeCoordinates('San Salvario')).toBe(false)
    expect(looksLikeCoordinates(' , ')).toBe(false)
  })

  it('writes latitude first with five decimals', () => {
    expect(formatCoordinates([7.68, 45.07])).toBe('45.07000, 7.68000')
  })
})
