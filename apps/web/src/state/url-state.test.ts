import { describe, expect, it } from 'vitest'
import {
  defaultViewState,
  formatViewState,
  pageItemOf,
  pageOf,
  parseViewState,
  pathOf,
  withPageItem,
} from './url-state'

const id = '0b0d2a5e-5c1f-4a57-9f4e-2b8e6a1c9d3f'

describe('URL state', () => {
  it('round-trips a full view', () => {
    const view = {
      center: [7.68123, 45.07456] as [number, number],
      zoom: 14.5,
      window: { unit: 'month' as const, year: 2019, month: 6, day: 1 },
      kinds: ['event' as const, 'space' as const],
      categories: ['cultura', 'sport'],
      tags: ['orti'],
      q: 'comunità generativa',
      selected: id,
      initiative: 'co-city-2017',
    }
    const search = formatViewState(view)
    expect(search).toBe(
      `?c=7.68123,45.07456&z=14.5&t=2019-06&k=event,space&cat=cultura,sport&tag=orti&q=comunit%C3%A0+generativa&sel=${id}&init=co-city-2017`,
    )
    expect(parseViewState(search)).toEqual(view)
  })

  it('leaves defaults out, so the plain address is the default view', () => {
    expect(formatViewState(defaultViewState)).toBe('')
    expect(parseViewState('')).toEqual(defaultViewState)
  })

  it('drops what is malformed instead of failing', () => {
    const view = parseViewState('?c=abc,45&z=99&t=2019-13&k=event,bogus&sel=not-a-uuid&cat=,,a')
    expect(view.center).toEqual(defaultViewState.center)
    expect(view.zoom).toBe(22)
    expect(view.window).toBeNull()
    expect(view.kinds).toEqual(['event'])
    expect(view.selected).toBeNull()
    expect(view.categories).toEqual(['a'])
  })

  it('clamps coordinates and keeps at most 20 labels of at most 50 characters', () => {
    const many = Array.from({ length: 30 }, (_, index) => `t${index}`).join(',')
    const view = parseViewState(`?c=200,-95&tag=${many},${'x'.repeat(51)}`)
    expect(view.center).toEqual([180, -85])
    expect(view.tags).toHaveLength(20)
  })

  it('knows the client pages', () => {
    expect(pageOf('/wallet')).toBe('wallet')
    expect(pageOf('/wallet/')).toBe('wallet')
    expect(pageOf('/admin')).toBe('admin')
    expect(pathOf('admin')).toBe('/admin')
    expect(pathOf('wallet')).toBe('/wallet')
    expect(pathOf('map')).toBe('/')
    expect(pageOf('/')).toBe('map')
    expect(pageOf('/anything')).toBe('map')
  })
})

describe('a page’s own item and the initiative in the URL', () => {
  it('keeps a page item beside the view and drops a malformed one', () => {
    expect(withPageItem('/pacts?c=7.1,45.1', id)).toBe(`/pacts?c=7.1,45.1&id=${id}`)
    expect(withPageItem(`/pacts?id=${id}`, null)).toBe('/pacts')
    expect(pageItemOf(`?id=${id}`)).toBe(id)
    expect(pageItemOf('?id=../../etc')).toBeNull()
  })

  it('reads an initiative slug and ignores one the API would refuse', () => {
    expect(parseViewState('?init=co-city-2017').initiative).toBe('co-city-2017')
    expect(parseViewState('?init=Not%20A%20Slug').initiative).toBeNull()
  })
})
