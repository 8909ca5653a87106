import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  CommunityPageQuery,
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
  Membership,
  MyGroupList,
} from '@quartiere/contracts'
import {
  changeMemberRole,
  decideJoinRequest,
  joinGroup,
  listJoinRequests,
  listMembers,
  listMyGroups,
  membershipOf,
  removeMember,
  withdrawJoinRequest,
} from '@quartiere/map'
import { Type } from 'typebox'
import { communityProblem, unwrap } from '../outcome-problems'
import { requireActor } from '../plugins/authentication'
import { errorResponses } from '../problem'
import type { RouteContext } from './context'
import { pageAnswer, pageArgs, pagedListSchema } from './paging'

const errors = errorResponses(400, 401, 403, 404, 409, 422)

export function groupsRoutes({ database }: RouteContext): FastifyPluginAsyncTypebox {
  const { db } = database
  return async (app) => {
    app.get(
      '/api/entities/:id/members',
      {
        schema: pagedListSchema(
          'groups',
          'The members of a group and their roles (owner, manager, member)',
          GroupMemberList,
        ),
      },
      async (request) =>
        pageAnswer(await listMembers(db, request.actor, request.params.id, ...pageArgs(request.query))),
    )

    app.get(
      '/api/me/groups',
      {
        schema: {
          tags: ['groups'],
          summary: 'The groups I belong to, with my role in each, longest-standing first',
          security: [{ bearer: [] }],
          querystring: CommunityPageQuery,
          response: { 200: MyGroupList, ...errorResponses(400, 401) },
        },
      },
      async (request) =>
        pageAnswer(await listMyGroups(db, requireActor(request), ...pageArgs(request.query))),
    )

    app.get(
      '/api/entities/:id/membership',
      {
        schema: {
          tags: ['groups'],
          summary:
            'A group as you stand in it: its members count, your role, or your pending request to join',
          description: 'Anyone may ask: without sign-in, role and request are null.',
          params: IdParams,
          response: { 200: Membership, ...errorResponses(400, 404, 422) },
        },
      },
      async (request) =>
        unwrap(await membershipOf(db, request.actor, request.params.id), communityProblem).membership,
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
        const { outcome } = unwrap(
          await db.transaction().execute((trx) => joinGroup(trx, actor, request.params.id, message)),
          communityProblem,
        )
        return reply.status(outcome.status === 'member' ? 201 : 202).send(outcome)
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
        return unwrap(outcome, communityProblem).member
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
        unwrap(
          await db
            .transaction()
            .execute((trx) => removeMember(trx, actor, request.params.id, request.params.userId)),
          communityProblem,
        )
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
        return pageAnswer(await listJoinRequests(db, actor, request.params.id, ...pageArgs(request.query)))
      },
    )

    app.delete(
      '/api/entities/:id/join-requests/mine',
      {
        schema: {
          tags: ['groups'],
          summary: 'Withdraw your pending request to join a closed group (204; 404 when you have none)',
          security: [{ bearer: [] }],
          params: IdParams,
          response: { 204: Type.Null(), ...errors },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request)
        unwrap(
          await db.transaction().execute((trx) => withdrawJoinRequest(trx, actor, request.params.id)),
          communityProblem,
        )
        return reply.status(204).send(null)
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
          return unwrap(outcome, communityProblem).request
        },
      )
    }
  }
}
