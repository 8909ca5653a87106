import type { FastifyRequest } from 'fastify'

/** The request's own path and query with `cursor` set: the `next` link of a keyset-paged list. */
export function urlWithCursor(request: FastifyRequest, cursor: string): string {
  const url = new URL(request.url, 'http://localhost')
  url.searchParams.set('cursor', cursor)
  return `${url.pathname}${url.search}`
}
