import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  CommunityPageQuery,
  Following,
  IdParams,
  MarkedRead,
  Notification,
  NotificationList,
  NotificationsQuery,
  SubscriptionList,
} from '@quartiere/contracts'
import {
  followingOf,
  listNotifications,
  listSubscriptions,
  markAllNotificationsRead,
  markNotificationRead,
  subscribe,
  unsubscribe,
} from '@quartiere/map'
import { Type } from 'typebox'
import { communityProblem, unwrap } from '../outcome-problems'
import { requireActor } from '../plugins/authentication'
import { errorResponses } from '../problem'
import type { RouteContext } from './context'
import { pageAnswer, pageArgs } from './paging'

export function notificationsRoutes({ database }: RouteContext): FastifyPluginAsyncTypebox {
  const { db } = database
  return async (app) => {
    app.get(
      '/api/notifications',
      {
        schema: {
          tags: ['notifications'],
          summary: 'My notifications: unread first, newest first within each, and how many are unread',
          security: [{ bearer: [] }],
          querystring: NotificationsQuery,
          response: { 200: NotificationList, ...errorResponses(400, 401) },
        },
      },
      async (request) => {
        const actor = requireActor(request)
        const [limit, cursor] = pageArgs(request.query)
        const { items, unreadCount, nextCursor } = unwrap(
          await listNotifications(db, actor, {
            limit,
            ...(cursor !== undefined ? { cursor } : {}),
            ...(request.query.unread ? { unreadOnly: true } : {}),
          }),
          communityProblem,
        )
        return { items, unreadCount, nextCursor }
      },
    )

    app.post(
      '/api/notifications/:id/read',
      {
        schema: {
          tags: ['notifications'],
          summary: 'Mark one of my notifications read',
          security: [{ bearer: [] }],
          params: IdParams,
          response: { 200: Notification, ...errorResponses(400, 401, 404) },
        },
      },
      async (request) => {
        const actor = requireActor(request)
        return unwrap(await markNotificationRead(db, actor, request.params.id), communityProblem).notification
      },
    )

    app.post(
      '/api/notifications/read-all',
      {
        schema: {
          tags: ['notifications'],
          summary: 'Mark all my notifications read',
          security: [{ bearer: [] }],
          response: { 200: MarkedRead, ...errorResponses(401) },
        },
      },
      async (request) => ({ marked: await markAllNotificationsRead(db, requireActor(request)) }),
    )

    app.put(
      '/api/entities/:id/subscription',
      {
        schema: {
          tags: ['notifications'],
          summary:
            'Follow a thing or a group: its changes, posts and comments reach you (201 new, 200 already)',
          security: [{ bearer: [] }],
          params: IdParams,
          response: { 200: Following, 201: Following, ...errorResponses(400, 401, 404) },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request)
        const { created } = unwrap(await subscribe(db, actor, request.params.id), communityProblem)
        return reply.status(created ? 201 : 200).send({ entityId: request.params.id, following: true })
      },
    )

    app.get(
      '/api/entities/:id/subscription',
      {
        schema: {
          tags: ['notifications'],
          summary: 'Whether you follow a thing or a group',
          security: [{ bearer: [] }],
          params: IdParams,
          response: { 200: Following, ...errorResponses(400, 401, 404) },
        },
      },
      async (request) => {
        const actor = requireActor(request)
        const { following } = unwrap(await followingOf(db, actor, request.params.id), communityProblem)
        return { entityId: request.params.id, following }
      },
    )

    app.delete(
      '/api/entities/:id/subscription',
      {
        schema: {
          tags: ['notifications'],
          summary: 'Stop following a thing',
          security: [{ bearer: [] }],
          params: IdParams,
          response: { 204: Type.Null(), ...errorResponses(400, 401) },
        },
      },
      async (request, reply) => {
        await unsubscribe(db, requireActor(request), request.params.id)
        return reply.status(204).send(null)
      },
    )

    app.get(
      '/api/me/subscriptions',
      {
        schema: {
          tags: ['notifications'],
          summary: 'What I follow, most recent first',
          security: [{ bearer: [] }],
          querystring: CommunityPageQuery,
          response: { 200: SubscriptionList, ...errorResponses(400, 401) },
        },
      },
      async (request) =>
        pageAnswer(await listSubscriptions(db, requireActor(request), ...pageArgs(request.query))),
    )
  }
}
