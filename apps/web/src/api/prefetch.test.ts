import { describe, expect, it } from 'vitest'
import { estimatedBounds, firstPageEntitiesMax, firstPageFilter } from '../state/map-query'
import { parseViewState } from '../state/url-state'
import { ApiClient } from './client'
import { EarlyRequests, firstPageUrl } from './prefetch'

const page = (title: string) =>
  JSON.stringify({ type: 'FeatureCollection', features: [{ id: title }], numberReturned: 1, links: [] })

/** A fetch stand-in that answers every request with a page named after how many requests it has seen. */
function countingFetch() {
  const urls: string[] = []
  const headers: Record<string, string>[] = []
  const fetchImpl = (async (url: string, init?: RequestInit) => {
    urls.push(url)
    headers.push({ ...(init?.headers as Record<string, string>) })
    return new Response(page(`answer ${urls.length}`), { headers: { 'content-type': 'application/json' } })
  }) as typeof fetch
  return { urls, headers, fetchImpl }
}

describe("the map's first page, sent before the app loads", () => {
  it('is the request the map makes for the same address and window', () => {
    const search = '?c=7.665,45.07&z=11.5&k=event,space&t=2019-06'
    const url = firstPageUrl('', search, 1280, 800)
    const view = parseViewState(search)
    const filter = firstPageFilter(view, estimatedBounds(view.center, view.zoom, 1280, 800))
    expect(url.startsWith('/api/entities?')).toBe(true)
    const params = new URL(url, 'http://client.invalid').searchParams
    expect(params.get('kinds')).toBe('event,space')
    expect(params.get('limit')).toBe(String(firstPageEntitiesMax))
    expect(params.get('from')).toBe(filter.from)
    expect(params.get('bbox')?.split(',').map(Number)).toEqual(filter.bbox?.map((v) => Number(v.toFixed(6))))
  })

  it('is adopted once by the client asking for that very page with the same bearer', async () => {
    const early = countingFetch()
    const requests = new EarlyRequests(early.fetchImpl)
    const url = firstPageUrl('', '?c=7.665,45.07&z=11.5', 1280, 800)
    requests.send(url, 'token-1')
    expect(early.headers[0]?.authorization).toBe('Bearer token-1')

    const late = countingFetch()
    const tokens = { accessToken: async () => 'token-1', refreshAfterUnauthorized: async () => null }
    const client = new ApiClient({ baseUrl: '', tokens, fetch: late.fetchImpl, prefetched: requests.take })
    const view = parseViewState('?c=7.665,45.07&z=11.5')
    const filter = firstPageFilter(view, estimatedBounds(view.center, view.zoom, 1280, 800))
    const first = await client.listEntities(filter)
    expect(first.features[0]?.id).toBe('answer 1')
    expect(late.urls).toEqual([])
    // Taken once: the same page asked again goes to the server.
    await client.listEntities(filter)
    expect(late.urls).toEqual([url])
  })

  it('is not adopted for another page or another bearer', async () => {
    const early = countingFetch()
    const requests = new EarlyRequests(early.fetchImpl)
    const url = firstPageUrl('', '?c=7.665,45.07&z=11.5', 1280, 800)
    requests.send(url, null)
    expect(requests.take(url, 'token-1')).toBeNull()
    expect(requests.take(`${url}&q=x`, null)).toBeNull()
    expect(requests.take(url, null)).not.toBeNull()
  })
})

describe('paging the map query', () => {
  it('waits for beforeNextPage between pages and asks the first page small', async () => {
    const seen: string[] = []
    let answered = 0
    const fetchImpl = (async (url: string) => {
      seen.push(url)
      answered += 1
      const next = answered < 3 ? [{ rel: 'next', href: `/api/entities?cursor=c${answered}` }] : []
      return new Response(
        JSON.stringify({
          type: 'FeatureCollection',
          features: [{ id: `f${answered}` }],
          numberReturned: 1,
          links: next,
        }),
      )
    }) as typeof fetch
    const client = new ApiClient({ baseUrl: '', fetch: fetchImpl })
    const order: string[] = []
    const result = await client.eachEntitiesPage(
      { bbox: [7.6, 45, 7.7, 45.1], limit: 250 },
      10_000,
      (features) => order.push(`page ${features[0]?.id}`),
      {
        nextPageLimit: 1000,
        beforeNextPage: async () => {
          order.push('gate')
        },
      },
    )
    expect(result.complete).toBe(true)
    expect(order).toEqual(['page f1', 'gate', 'page f2', 'gate', 'page f3'])
    expect(new URL(seen[0] as string, 'http://x').searchParams.get('limit')).toBe('250')
    expect(new URL(seen[1] as string, 'http://x').searchParams.get('limit')).toBe('1000')
    expect(new URL(seen[1] as string, 'http://x').searchParams.get('cursor')).toBe('c1')
  })
})
