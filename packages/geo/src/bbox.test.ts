import { describe, expect, it } from 'vitest'
import { bboxArea, bboxContainsPoint, bboxIntersects, bboxToPolygon, parseBbox } from './bbox'
import { ringSignedArea, validateGeometry } from './geometry'

describe('parseBbox', () => {
  it('parses four decimals, trimming spaces around them', () => {
    expect(parseBbox('9.1,45.4,9.3,45.5')).toEqual({ ok: true, value: [9.1, 45.4, 9.3, 45.5] })
    expect(parseBbox(' -180 , -90,180 ,90 ')).toEqual({ ok: true, value: [-180, -90, 180, 90] })
    expect(parseBbox('.5,-.5,+1,1.')).toEqual({ ok: true, value: [0.5, -0.5, 1, 1] })
    // A box of zero size is a point query, not an error.
    expect(parseBbox('1,2,1,2')).toEqual({ ok: true, value: [1, 2, 1, 2] })
  })

  it.each([
    ['', /exactly 4 .*got 1/],
    ['1,2,3', /exactly 4 .*got 3/],
    ['1,2,3,4,5', /got 5/],
    ['1,,3,4', /minLat is empty/],
    ['1,2,3, ', /maxLat is empty/],
    ['0x10,2,3,4', /minLon "0x10" is not a decimal number/],
    ['1e999,2,3,4', /"1e999" is not a decimal/],
    ['1e1,2,3,4', /not a decimal/],
    ['Infinity,2,3,4', /not a decimal/],
    ['NaN,2,3,4', /not a decimal/],
    ['1 2,2,3,4', /not a decimal/],
    ['-181,0,0,1', /minLon -181 is outside \[-180, 180\]/],
    ['0,0,1,90.5', /maxLat 90.5 is outside \[-90, 90\]/],
    ['2,0,1,1', /minLon 2 is greater than maxLon 1; .*antimeridian/],
    ['0,1,1,0', /minLat 1 is greater than maxLat 0/],
  ])('rejects %j', (text, message) => {
    const r = parseBbox(text)
    expect(r).toMatchObject({ ok: false, code: 'invalid_bbox' })
    if (!r.ok) expect(r.message).toMatch(message)
  })

  it('rejects a box over the area limit, naming the area and the maximum', () => {
    expect(parseBbox('0,0,2,2', { areaDeg2Max: 4 })).toMatchObject({ ok: true })
    expect(parseBbox('0,0,2,2.5', { areaDeg2Max: 4 })).toEqual({
      ok: false,
      code: 'bbox_too_large',
      message: 'bbox area is 5 square degrees; the maximum is 4',
    })
  })
})

describe('bbox helpers', () => {
  it('measure, intersect and contain, edges included', () => {
    expect(bboxArea([0, 0, 2, 3])).toBe(6)
    expect(bboxIntersects([0, 0, 1, 1], [1, 1, 2, 2])).toBe(true)
    expect(bboxIntersects([0, 0, 1, 1], [1.1, 0, 2, 1])).toBe(false)
    expect(bboxIntersects([0, 0, 1, 1], [0.5, 1.5, 0.6, 2])).toBe(false)
    expect(bboxIntersects([0, 0, 10, 10], [2, 2, 3, 3])).toBe(true)
    expect(bboxContainsPoint([0, 0, 1, 1], [1, 0])).toBe(true)
    expect(bboxContainsPoint([0, 0, 1, 1], [1.01, 0.5])).toBe(false)
    expect(bboxContainsPoint([0, 0, 1, 1], [0.5, -0.01])).toBe(false)
  })

  it('turns a box into a valid counterclockwise polygon', () => {
    const polygon = bboxToPolygon([1, 2, 3, 4])
    expect(validateGeometry(polygon)).toEqual({ ok: true, value: polygon })
    expect(ringSignedArea(polygon.coordinates[0]!)).toBe(8)
  })
})
