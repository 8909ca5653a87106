import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  Comment,
  CommentCreateBody,
  CommentList,
  CommunityPageQuery,
  communityPageSizeDefault,
  IdParams,
  Post,
  PostCreateBody,
  PostList,
  PostPatchBody,
  Problem,
} from '@quartiere/contracts'
import type { DB } from '@quartiere/db'
import {
  type Actor,
  type CommunityFailure,
  type CommunityOutcome,
  createComment,
  createPost,
  deleteComment,
  deletePost,
  getPost,
  listComments,
  listPosts,
  type PostingLimits,
  updateComment,
  updatePost,
} from '@quartiere/map'
import type { FastifyRequest } from 'fastify'
import type { Kysely } from 'kysely'
import { type Static, type TSchema, Type } from 'typebox'
import type { Config } from '../config'
import { requireActor } from '../plugins/authentication'
import { ApiError, mapFailureToApiError } from '../problem'
import type { RouteContext } from './context'

/**
 * Maps each outcome of the community layer to its HTTP status: the map's own outcomes as the map maps them,
 * the community's in an exhaustive switch.
 */
export function communityFailureToApiError(failure: CommunityFailure): ApiError {
  switch (failure.code) {
    case 'rate_limited':
      return new ApiError(429, failure.code, failure.message, {
        headers: { 'Retry-After': String(failure.retryAfterSeconds) },
      })
    case 'already_member':
    case 'already_requested':
    case 'last_owner':
    case 'request_not_pending':
    case 'already_hidden':
    case 'not_hidden':
    case 'report_not_open':
    case 'slug_taken':
    case 'removed':
      return new ApiError(409, failure.code, failure.message)
    case 'not_a_member':
      return new ApiError(404, failure.code, failure.message)
    case 'not_a_group':
    case 'not_a_pact':
    case 'invalid_link':
    case 'invalid_media':
      return new ApiError(422, failure.code, failure.message)
    default:
      return mapFailureToApiError(failure)
  }
}

/** An outcome's value, or its refusal thrown as a problem. */
export function unwrap<T>(outcome: CommunityOutcome<T>): { ok: true } & T {
  if (!outcome.ok) throw communityFailureToApiError(outcome)
  return outcome
}

/** The limit and cursor a page query asks for, in the order the community's list functions take them. */
export function pageArgs(query: CommunityPageQuery): [limit: number, cursor: string | undefined] {
  return [query.limit ?? communityPageSizeDefault, query.cursor]
}

/** A page of a list as every community list answers it. */
export function pageAnswer<I>(outcome: CommunityOutcome<{ items: I[]; nextCursor: string | null }>) {
  const { items, nextCursor } = unwrap(outcome)
  return { items, nextCursor }
}

/** The schema of a public, paged list under a thing (`/api/entities/:id/…`) or a post. */
export function pagedListSchema<L extends TSchema>(tag: string, summary: string, list: L) {
  return {
    tags: [tag],
    summary,
    params: IdParams,
    querystring: CommunityPageQuery,
    response: { 200: list, 400: Problem, 404: Problem, 422: Problem },
  }
}

export function postingLimitsOf(config: Config): PostingLimits {
  return {
    newAccountAgeHours: config.community.newAccountAgeHours,
    newAccountPostsPerHour: config.community.newAccountPostsPerHour,
    postsPerHour: config.community.postsPerHour,
  }
}

export const IfMatchHeaders = Type.Object({
  'if-match': Type.Optional(
    Type.String({ maxLength: 100, description: 'The ETag (version) you last read.' }),
  ),
})

const ifMatchPattern = /^(?:W\/)?"?(\d{1,9})"?$/

/** The version an If-Match header names (`"3"`, `W/"3"` or `3`), or undefined; anything else is a 400. */
export function ifMatchVersion(request: FastifyRequest): number | undefined {
  const header = request.headers['if-match']
  if (header === undefined) return undefined
  const match = ifMatchPattern.exec(String(header).trim())
  if (!match?.[1]) throw new ApiError(400, 'invalid_if_match', 'If-Match must be the ETag you read, e.g. "3"')
  return Number(match[1])
}

export function requireIfMatch(request: FastifyRequest): number {
  const version = ifMatchVersion(request)
  if (version === undefined) {
    throw new ApiError(
      428,
      'if_match_required',
      "send If-Match with the ETag you read, so that no one else's change is overwritten",
    )
  }
  return version
}

const errors = {
  400: Problem,
  401: Problem,
  403: Problem,
  404: Problem,
  409: Problem,
  412: Problem,
  422: Problem,
}

type App = Parameters<FastifyPluginAsyncTypebox>[0]

/**
 * Editing (with If-Match) and removing (leaving a "removed" placeholder) work alike for posts and comments:
 * one definition registers both routes for each.
 */
interface ThreadItemRoutes<B extends TSchema, T, V extends { version: number }> {
  noun: 'post' | 'comment'
  path: string
  body: B
  response: TSchema
  update(
    trx: Kysely<DB>,
    actor: Actor,
    id: string,
    version: number,
    body: Static<B>,
  ): Promise<CommunityOutcome<T>>
  updated(outcome: { ok: true } & T): V
  remove(trx: Kysely<DB>, actor: Actor, id: string, version?: number): Promise<CommunityOutcome<object>>
}

function threadItemRoutes<B extends TSchema, T, V extends { version: number }>(
  app: App,
  db: Kysely<DB>,
  item: ThreadItemRoutes<B, T, V>,
) {
  app.patch(
    item.path,
    {
      schema: {
        tags: ['threads'],
        summary: `Edit your ${item.noun} (If-Match with its version is required)`,
        security: [{ bearer: [] }],
        params: IdParams,
        headers: IfMatchHeaders,
        body: item.body,
        response: { 200: item.response, ...errors, 428: Problem },
      },
    },
    async (request, reply) => {
      const actor = requireActor(request)
      const version = requireIfMatch(request)
      const body = request.body as Static<B>
      const outcome = unwrap(
        await db.transaction().execute((trx) => item.update(trx, actor, request.params.id, version, body)),
      )
      const value = item.updated(outcome)
      return reply.header('ETag', `"${value.version}"`).send(value)
    },
  )

  app.delete(
    item.path,
    {
      schema: {
        tags: ['threads'],
        summary: `Remove a ${item.noun}: it stays in the thread as "removed" (If-Match optional)`,
        security: [{ bearer: [] }],
        params: IdParams,
        headers: IfMatchHeaders,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      const actor = requireActor(request)
      const version = ifMatchVersion(request)
      unwrap(await db.transaction().execute((trx) => item.remove(trx, actor, request.params.id, version)))
      return reply.status(204).send(null)
    },
  )
}

export function postsRoutes({ config, database }: RouteContext): FastifyPluginAsyncTypebox {
  const { db } = database
  const limits = postingLimitsOf(config)
  return async (app) => {
    app.get(
      '/api/entities/:id/posts',
      { schema: pagedListSchema('threads', "A thing's wall: its posts, newest first", PostList) },
      async (request) =>
        pageAnswer(await listPosts(db, request.actor, request.params.id, ...pageArgs(request.query))),
    )

    app.post(
      '/api/entities/:id/posts',
      {
        schema: {
          tags: ['threads'],
          summary: 'Post on a thing (title, body, tags, images from POST /api/media)',
          security: [{ bearer: [] }],
          params: IdParams,
          body: PostCreateBody,
          response: { 201: Post, ...errors, 429: Problem },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request)
        const { post } = unwrap(
          await db
            .transaction()
            .execute((trx) => createPost(trx, actor, request.params.id, request.body, limits)),
        )
        return reply
          .status(201)
          .header('ETag', `"${post.version}"`)
          .header('Location', `/api/posts/${post.id}`)
          .send(post)
      },
    )

    app.get(
      '/api/posts/:id',
      {
        schema: {
          tags: ['threads'],
          summary: 'One post',
          params: IdParams,
          response: { 200: Post, 400: Problem, 404: Problem },
        },
      },
      async (request, reply) => {
        const { post } = unwrap(await getPost(db, request.actor, request.params.id))
        return reply.header('ETag', `"${post.version}"`).send(post)
      },
    )

    threadItemRoutes(app, db, {
      noun: 'post',
      path: '/api/posts/:id',
      body: PostPatchBody,
      response: Post,
      update: updatePost,
      updated: (outcome) => outcome.post,
      remove: deletePost,
    })

    app.get(
      '/api/posts/:id/comments',
      { schema: pagedListSchema('threads', 'The comments on a post, oldest first', CommentList) },
      async (request) =>
        pageAnswer(await listComments(db, request.actor, request.params.id, ...pageArgs(request.query))),
    )

    app.post(
      '/api/posts/:id/comments',
      {
        schema: {
          tags: ['threads'],
          summary: 'Comment on a post',
          security: [{ bearer: [] }],
          params: IdParams,
          body: CommentCreateBody,
          response: { 201: Comment, ...errors, 429: Problem },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request)
        const { comment } = unwrap(
          await db
            .transaction()
            .execute((trx) => createComment(trx, actor, request.params.id, request.body, limits)),
        )
        return reply.status(201).header('ETag', `"${comment.version}"`).send(comment)
      },
    )

    threadItemRoutes(app, db, {
      noun: 'comment',
      path: '/api/comments/:id',
      body: CommentCreateBody,
      response: Comment,
      update: updateComment,
      updated: (outcome) => outcome.comment,
      remove: deleteComment,
    })
  }
}
