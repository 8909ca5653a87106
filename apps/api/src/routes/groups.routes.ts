import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  CommunityPageQuery,
  communityPageSizeDefault,
  GroupMember,
  GroupMemberList,
  IdParams,
  JoinBody,
  JoinOutcome,
  JoinRequest,
  JoinRequestList,
  JoinRequestParams,
  MemberParams,
  MemberRoleBody,
  Problem,
} from '@quartiere/contracts'
import {
  changeMemberRole,
  decideJoinRequest,
  joinGroup,
  listJoinRequests,
  listMembers,
  removeMember,
} from '@quartiere/map'
import { Type } from 'typebox'
import { requireActor } from '../plugins/authentication'
import type { RouteContext } from './context'
import { communityFailureToApiError } from './posts.routes'

const errors = { 400: Problem, 401: Problem, 403: Problem, 404: Problem, 409: Problem, 422: Problem }

export function groupsRoutes({ database }: RouteContext): FastifyPluginAsyncTypebox {
  const { db } = database
  return async (app) => {
    app.get(
      '/api/entities/:id/members',
      {
        schema: {
          tags: ['groups'],
          summary: 'The members of a group and their roles (owner, manager, member)',
          params: IdParams,
          querystring: CommunityPageQuery,
          response: { 200: GroupMemberList, 400: Problem, 404: Problem, 422: Problem },
        },
      },
      async (request) => {
        const outcome = await listMembers(
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
      '/api/entities/:id/members',
      {
        schema: {
          tags: ['groups'],
          summary: 'Join an open group (201), or ask to join a closed one (202: a manager decides)',
          security: [{ bearer: [] }],
          params: IdParams,
          body: Type.Optional(JoinBody),
          response: { 201: JoinOutcome, 202: JoinOutcome, ...errors },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request)
        const message = request.body?.message ?? ''
        const outcome = await db
          .transaction()
          .execute((trx) => joinGroup(trx, actor, request.params.id, message))
        if (!outcome.ok) throw communityFailureToApiError(outcome)
        return reply.status(outcome.outcome.status === 'member' ? 201 : 202).send(outcome.outcome)
      },
    )

    app.patch(
      '/api/entities/:id/members/:userId',
      {
        schema: {
          tags: ['groups'],
          summary: "Change a member's role (owners; make another owner to hand the group over)",
          security: [{ bearer: [] }],
          params: MemberParams,
          body: MemberRoleBody,
          response: { 200: GroupMember, ...errors },
        },
      },
      async (request) => {
        const actor = requireActor(request)
        const outcome = await db
          .transaction()
          .execute((trx) =>
            changeMemberRole(trx, actor, request.params.id, request.params.userId, request.body.role),
          )
        if (!outcome.ok) throw communityFailureToApiError(outcome)
        return outcome.member
      },
    )

    app.delete(
      '/api/entities/:id/members/:userId',
      {
        schema: {
          tags: ['groups'],
          summary: 'Leave a group (your own id) or remove a member; the last owner cannot leave',
          security: [{ bearer: [] }],
          params: MemberParams,
          response: { 204: Type.Null(), ...errors },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request)
        const outcome = await db
          .transaction()
          .execute((trx) => removeMember(trx, actor, request.params.id, request.params.userId))
        if (!outcome.ok) throw communityFailureToApiError(outcome)
        return reply.status(204).send(null)
      },
    )

    app.get(
      '/api/entities/:id/join-requests',
      {
        schema: {
          tags: ['groups'],
          summary: "Pending requests to join a closed group, oldest first (the group's owners and managers)",
          security: [{ bearer: [] }],
          params: IdParams,
          querystring: CommunityPageQuery,
          response: { 200: JoinRequestList, ...errors },
        },
      },
      async (request) => {
        const actor = requireActor(request)
        const outcome = await listJoinRequests(
          db,
          actor,
          request.params.id,
          request.query.limit ?? communityPageSizeDefault,
        )
        if (!outcome.ok) throw communityFailureToApiError(outcome)
        return { items: outcome.items, nextCursor: null }
      },
    )

    for (const decision of ['approve', 'reject'] as const) {
      app.post(
        `/api/entities/:id/join-requests/:requestId/${decision}`,
        {
          schema: {
            tags: ['groups'],
            summary:
              decision === 'approve'
                ? 'Approve a request to join: the requester becomes a member'
                : 'Reject a request to join',
            security: [{ bearer: [] }],
            params: JoinRequestParams,
            response: { 200: JoinRequest, ...errors },
          },
        },
        async (request) => {
          const actor = requireActor(request)
          const outcome = await db
            .transaction()
            .execute((trx) =>
              decideJoinRequest(
                trx,
                actor,
                request.params.id,
                request.params.requestId,
                decision === 'approve',
              ),
            )
          if (!outcome.ok) throw communityFailureToApiError(outcome)
          return outcome.request
        },
      )
    }
  }
}
