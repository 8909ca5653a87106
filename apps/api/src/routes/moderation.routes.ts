import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  CommunityPageQuery,
  DismissBody,
  IdParams,
  ModerationAction,
  ModerationActionBody,
  ModerationActionList,
  ModerationActionsQuery,
  ModerationQueue,
  Report,
  ReportCreateBody,
} from '@quartiere/contracts'
import { dismissReport, fileReport, listModerationActions, moderationQueue, setHidden } from '@quartiere/map'
import { communityProblem, unwrap } from '../outcome-problems'
import { requireActor } from '../plugins/authentication'
import { errorResponses } from '../problem'
import type { RouteContext } from './context'
import { pageAnswer, pageArgs } from './paging'

const errors = errorResponses(400, 401, 403, 404, 409)

export function moderationRoutes({ database }: RouteContext): FastifyPluginAsyncTypebox {
  const { db } = database
  return async (app) => {
    app.post(
      '/api/reports',
      {
        schema: {
          tags: ['moderation'],
          summary:
            'Report a thing, a post or a comment to the moderators (201; 200 when you reported it already)',
          security: [{ bearer: [] }],
          body: ReportCreateBody,
          response: { 200: Report, 201: Report, ...errorResponses(400, 401, 403, 404, 409, 429) },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request)
        const { created, report } = unwrap(
          await db.transaction().execute((trx) => fileReport(trx, actor, request.body)),
          communityProblem,
        )
        return reply.status(created ? 201 : 200).send(report)
      },
    )

    app.get(
      '/api/moderation/queue',
      {
        schema: {
          tags: ['moderation'],
          summary: 'Open reports, one item per reported thing, longest waiting first (moderators)',
          security: [{ bearer: [] }],
          querystring: CommunityPageQuery,
          response: { 200: ModerationQueue, ...errors },
        },
      },
      async (request) =>
        pageAnswer(await moderationQueue(db, requireActor(request), ...pageArgs(request.query))),
    )

    for (const [path, hide] of [
      ['/api/moderation/hide', true],
      ['/api/moderation/restore', false],
    ] as const) {
      app.post(
        path,
        {
          schema: {
            tags: ['moderation'],
            summary: hide
              ? 'Hide a thing, post, comment or image: only its author (and moderators) still see it'
              : 'Restore hidden content',
            security: [{ bearer: [] }],
            body: ModerationActionBody,
            response: { 200: ModerationAction, ...errors },
          },
        },
        async (request) => {
          const actor = requireActor(request)
          return unwrap(
            await db.transaction().execute((trx) => setHidden(trx, actor, request.body, hide)),
            communityProblem,
          ).action
        },
      )
    }

    app.post(
      '/api/moderation/reports/:id/dismiss',
      {
        schema: {
          tags: ['moderation'],
          summary: 'Close a report without acting on what it reports (moderators)',
          security: [{ bearer: [] }],
          params: IdParams,
          body: DismissBody,
          response: { 200: ModerationAction, ...errors },
        },
      },
      async (request) => {
        const actor = requireActor(request)
        const outcome = await db
          .transaction()
          .execute((trx) => dismissReport(trx, actor, request.params.id, request.body.reason))
        return unwrap(outcome, communityProblem).action
      },
    )

    app.get(
      '/api/moderation/actions',
      {
        schema: {
          tags: ['moderation'],
          summary: 'The audit log of every moderation action, newest first (moderators)',
          description:
            'Narrowed by moderator, action, target kind and a time range [from, to); send the same filters ' +
            'with `cursor` for the following pages.',
          security: [{ bearer: [] }],
          querystring: ModerationActionsQuery,
          response: { 200: ModerationActionList, ...errors },
        },
      },
      async (request) => {
        const { limit, cursor, ...filters } = request.query
        return pageAnswer(
          await listModerationActions(db, requireActor(request), ...pageArgs({ limit, cursor }), filters),
        )
      },
    )
  }
}
