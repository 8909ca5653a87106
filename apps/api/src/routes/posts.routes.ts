import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  Comment,
  CommentCreateBody,
  CommentList,
  CommunityPageQuery,
  IdParams,
  Post,
  PostCreateBody,
  PostList,
  PostPatchBody,
} from '@quartiere/contracts'
import type { DB } from '@quartiere/db'
import {
  type Actor,
  type CommunityOutcome,
  createComment,
  createPost,
  deleteComment,
  deletePost,
  getPost,
  listComments,
  listPosts,
  listPostsByAuthor,
  type PostingLimits,
  updateComment,
  updatePost,
} from '@quartiere/map'
import type { Kysely } from 'kysely'
import { type Static, type TSchema, Type } from 'typebox'
import type { Config } from '../config'
import { communityProblem, unwrap } from '../outcome-problems'
import { requireActor } from '../plugins/authentication'
import { errorResponses } from '../problem'
import type { RouteContext } from './context'
import { IdempotencyHeaders, sendCreated } from './idempotency'
import { IfMatchHeaders, ifMatchVersion, requireIfMatch } from './if-match'
import { pageAnswer, pageArgs, pagedListSchema } from './paging'

function postingLimitsOf(config: Config): PostingLimits {
  return {
    newAccountAgeHours: config.community.newAccountAgeHours,
    newAccountPostsPerHour: config.community.newAccountPostsPerHour,
    postsPerHour: config.community.postsPerHour,
  }
}

type App = Parameters<FastifyPluginAsyncTypebox>[0]

const jsonType = 'application/json; charset=utf-8'
const idempotencyDescription =
  'With an Idempotency-Key (a uuid of yours), a retry is answered once: the same key and body get the first answer again (`Idempotent-Replayed: true`), the same key with another body 422 idempotency_key_reused.'

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
        response: { 200: item.response, ...errorResponses(400, 401, 403, 404, 409, 412, 422, 428) },
      },
    },
    async (request, reply) => {
      const actor = requireActor(request)
      const version = requireIfMatch(request)
      const body = request.body as Static<B>
      const outcome = unwrap(
        await db.transaction().execute((trx) => item.update(trx, actor, request.params.id, version, body)),
        communityProblem,
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
        response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404, 409, 412, 422) },
      },
    },
    async (request, reply) => {
      const actor = requireActor(request)
      const version = ifMatchVersion(request)
      unwrap(
        await db.transaction().execute((trx) => item.remove(trx, actor, request.params.id, version)),
        communityProblem,
      )
      return reply.status(204).send(null)
    },
  )
}

export function postsRoutes({ config, database }: RouteContext): FastifyPluginAsyncTypebox {
  const { db } = database
  const limits = postingLimitsOf(config)
  return async (app) => {
    app.get(
      '/api/me/posts',
      {
        schema: {
          tags: ['threads'],
          summary: 'My posts, newest first, each with the thing it is on',
          security: [{ bearer: [] }],
          querystring: CommunityPageQuery,
          response: { 200: PostList, ...errorResponses(400, 401) },
        },
      },
      async (request) =>
        pageAnswer(await listPostsByAuthor(db, requireActor(request), ...pageArgs(request.query))),
    )

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
          description: idempotencyDescription,
          security: [{ bearer: [] }],
          params: IdParams,
          headers: IdempotencyHeaders,
          body: PostCreateBody,
          response: { 201: Post, ...errorResponses(400, 401, 403, 404, 409, 412, 422, 429) },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request)
        return sendCreated(request, reply, db, config.idempotencyKeyRetentionHours, async (trx) => {
          const { post } = unwrap(
            await createPost(trx, actor, request.params.id, request.body, limits),
            communityProblem,
          )
          return {
            status: 201,
            headers: {
              ETag: `"${post.version}"`,
              Location: `/api/posts/${post.id}`,
              'Content-Type': jsonType,
            },
            payload: post,
          }
        })
      },
    )

    app.get(
      '/api/posts/:id',
      {
        schema: {
          tags: ['threads'],
          summary: 'One post',
          params: IdParams,
          response: { 200: Post, ...errorResponses(400, 404) },
        },
      },
      async (request, reply) => {
        const { post } = unwrap(await getPost(db, request.actor, request.params.id), communityProblem)
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
          description: idempotencyDescription,
          security: [{ bearer: [] }],
          params: IdParams,
          headers: IdempotencyHeaders,
          body: CommentCreateBody,
          response: { 201: Comment, ...errorResponses(400, 401, 403, 404, 409, 412, 422, 429) },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request)
        return sendCreated(request, reply, db, config.idempotencyKeyRetentionHours, async (trx) => {
          const { comment } = unwrap(
            await createComment(trx, actor, request.params.id, request.body, limits),
            communityProblem,
          )
          return {
            status: 201,
            headers: { ETag: `"${comment.version}"`, 'Content-Type': jsonType },
            payload: comment,
          }
        })
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
