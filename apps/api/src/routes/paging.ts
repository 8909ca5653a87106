import { CommunityPageQuery, communityPageSizeDefault, IdParams } from '@quartiere/contracts'
import type { CommunityOutcome } from '@quartiere/map'
import type { TSchema } from 'typebox'
import { communityProblem, unwrap } from '../outcome-problems'
import { errorResponses } from '../problem'

/** The limit and cursor a page query asks for, in the order the community's list functions take them. */
export function pageArgs(query: CommunityPageQuery): [limit: number, cursor: string | undefined] {
  return [query.limit ?? communityPageSizeDefault, query.cursor]
}

/** A page of a list as every community list answers it. */
export function pageAnswer<I>(outcome: CommunityOutcome<{ items: I[]; nextCursor: string | null }>) {
  const { items, nextCursor } = unwrap(outcome, communityProblem)
  return { items, nextCursor }
}

/** The schema of a public, paged list under a thing (`/api/entities/:id/…`) or a post. */
export function pagedListSchema<L extends TSchema>(tag: string, summary: string, list: L) {
  return {
    tags: [tag],
    summary,
    params: IdParams,
    querystring: CommunityPageQuery,
    response: { 200: list, ...errorResponses(400, 404, 422) },
  }
}
