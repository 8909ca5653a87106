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
import {
  type CommunityFailure,
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
import { Type } from 'typebox'
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

export function postsRoutes({ config, database }: RouteContext): FastifyPluginAsyncTypebox {
  const { db } = database
  const limits = postingLimitsOf(config)
  return async (app) => {
    app.get(
      '/api/entities/:id/posts',
      {
        schema: {
          tags: ['threads'],
          summary: "A thing's wall: its posts, newest first",
          params: IdParams,
          querystring: CommunityPageQuery,
          response: { 200: PostList, 400: Problem, 404: Problem },
        },
      },
      async (request) => {
        const outcome = await listPosts(
          db,
          request.actor,
          request.params.id,
          request.query.limit ?? communityPageSizeDefault,
          request.query.cursor,
        )
        if (!outcome.ok) throw communityFailureToApiError(outcome)
        return { items: outcome.items, nextCursor: outcome.nextCursor }
      },
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
        const outcome = await db
          .transaction()
          .execute((trx) => createPost(trx, actor, request.params.id, request.body, limits))
        if (!outcome.ok) throw communityFailureToApiError(outcome)
        return reply
          .status(201)
          .header('ETag', `"${outcome.post.version}"`)
          .header('Location', `/api/posts/${outcome.post.id}`)
          .send(outcome.post)
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
        const outcome = await getPost(db, request.actor, request.params.id)
        if (!outcome.ok) throw communityFailureToApiError(outcome)
        return reply.header('ETag', `"${outcome.post.version}"`).send(outcome.post)
      },
    )

    app.patch(
      '/api/posts/:id',
      {
        schema: {
          tags: ['threads'],
          summary: 'Edit your post (If-Match with its version is required)',
          security: [{ bearer: [] }],
          params: IdParams,
          headers: IfMatchHeaders,
          body: PostPatchBody,
          response: { 200: Post, ...errors, 428: Problem },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request)
        const version = requireIfMatch(request)
        const outcome = await db
          .transaction()
          .execute((trx) => updatePost(trx, actor, request.params.id, version, request.body))
        if (!outcome.ok) throw communityFailureToApiError(outcome)
        return reply.header('ETag', `"${outcome.post.version}"`).send(outcome.post)
      },
    )

    app.delete(
      '/api/posts/:id',
      {
        schema: {
          tags: ['threads'],
          summary: 'Remove a post: it stays in the thread as "removed" (If-Match optional)',
          security: [{ bearer: [] }],
          params: IdParams,
          headers: IfMatchHeaders,
          response: { 204: Type.Null(), ...errors },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request)
        const version = ifMatchVersion(request)
        const outcome = await db
          .transaction()
          .execute((trx) => deletePost(trx, actor, request.params.id, version))
        if (!outcome.ok) throw communityFailureToApiError(outcome)
        return reply.status(204).send(null)
      },
    )

    app.get(
      '/api/posts/:id/comments',
      {
        schema: {
          tags: ['threads'],
          summary: 'The comments on a post, oldest first',
          params: IdParams,
          querystring: CommunityPageQuery,
          response: { 200: CommentList, 400: Problem, 404: Problem },
        },
      },
      async (request) => {
        const outcome = await listComments(
          db,
          request.actor,
          request.params.id,
          request.query.limit ?? communityPageSizeDefault,
          request.query.cursor,
        )
        if (!outcome.ok) throw communityFailureToApiError(outcome)
        return { items: outcome.items, nextCursor: outcome.nextCursor }
      },
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
        const outcome = await db
          .transaction()
          .execute((trx) => createComment(trx, actor, request.params.id, request.body, limits))
        if (!outcome.ok) throw communityFailureToApiError(outcome)
        return reply.status(201).header('ETag', `"${outcome.comment.version}"`).send(outcome.comment)
      },
    )

    app.patch(
      '/api/comments/:id',
      {
        schema: {
          tags: ['threads'],
          summary: 'Edit your comment (If-Match with its version is required)',
          security: [{ bearer: [] }],
          params: IdParams,
          headers: IfMatchHeaders,
          body: CommentCreateBody,
          response: { 200: Comment, ...errors, 428: Problem },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request)
        const version = requireIfMatch(request)
        const outcome = await db
          .transaction()
          .execute((trx) => updateComment(trx, actor, request.params.id, version, request.body))
        if (!outcome.ok) throw communityFailureToApiError(outcome)
        return reply.header('ETag', `"${outcome.comment.version}"`).send(outcome.comment)
      },
    )

    app.delete(
      '/api/comments/:id',
      {
        schema: {
          tags: ['threads'],
          summary: 'Remove a comment: it stays in the thread as "removed" (If-Match optional)',
          security: [{ bearer: [] }],
          params: IdParams,
          headers: IfMatchHeaders,
          response: { 204: Type.Null(), ...errors },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request)
        const version = ifMatchVersion(request)
        const outcome = await db
          .transaction()
          .execute((trx) => deleteComment(trx, actor, request.params.id, version))
        if (!outcome.ok) throw communityFailureToApiError(outcome)
        return reply.status(204).send(null)
      },
    )
  }
}
