import { randomUUID } from 'node:crypto'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  Campaign,
  CampaignCreateBody,
  CampaignList,
  CampaignListQuery,
  CampaignPledgeParams,
  campaignPageSizeDefault,
  EntityIdParams,
  PageQuery,
  Pledge,
  PledgeBody,
  PledgeList,
  PledgeResult,
} from '@quartiere/contracts'
import {
  campaignEntityKinds,
  campaignView,
  createCampaign,
  depositCampaign,
  listCampaigns,
  listPledges,
  pledge,
  stopCampaign,
  withdrawPledge,
} from '@quartiere/ledger'
import { campaignForViewer, campaignsForViewer, createEntity } from '@quartiere/map'
import { communityLedgerProblem, mapProblem, unwrap } from '../outcome-problems'
import { requireActor } from '../plugins/authentication'
import { ApiError, errorResponses } from '../problem'
import { campaignOpeningRefusal } from './campaign-opening'
import type { RouteContext } from './context'
import { guard, IdempotencyHeaders, idempotencyKey } from './ledger-http'

const errors = errorResponses(400, 401, 403, 404, 409, 412, 422, 503)

/**
 * Piggy banks: crowdfunding campaigns on a place or project of the map, accepting one currency and giving back
 * another. Their progress is public: `campaign.*` events carry the place's bbox to every viewport that sees it.
 */
export function campaignsRoutes({ database, ledger }: RouteContext): FastifyPluginAsyncTypebox {
  const { db } = database
  return async (app) => {
    app.post(
      '/api/campaigns',
      {
        schema: {
          tags: ['campaigns'],
          summary: 'Open a campaign on a place or project you may edit (entityId), or on a new one (entity)',
          description:
            'Locked until its owner deposits cap ÷ accept × give of the given currency (POST /api/campaigns/{id}/deposit). With `entity`, the project or place is created on the map in the same transaction. 201 when created, 200 when this key created it before.',
          security: [{ bearer: [] }],
          headers: IdempotencyHeaders,
          body: CampaignCreateBody,
          response: { 200: Campaign, 201: Campaign, ...errors },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request)
        const { entity, entityId, ...body } = request.body
        const id = idempotencyKey(request, body.id, false) ?? randomUUID()
        if ((entity === undefined) === (entityId === undefined)) {
          throw new ApiError(
            400,
            'invalid_campaign',
            'give either entityId (an existing place or project) or entity (a new one)',
          )
        }
        if (entity && !(campaignEntityKinds as readonly string[]).includes(entity.kind)) {
          throw new ApiError(
            422,
            'entity_not_linkable',
            'a campaign is linked to a place (space) or a project',
          )
        }
        // A retry after a created entity must not create a second one: the key says whether it is a retry.
        const earlier = await campaignView(db, id)
        const result = await db.transaction().execute(async (trx) => {
          let linkedId = earlier?.entityId ?? entityId
          if (!earlier && entity) {
            const created = await createEntity(trx, actor, entity)
            if (!created.ok) throw mapProblem(created)
            linkedId = created.feature.id as string
          } else if (!earlier) {
            const refusal = await campaignOpeningRefusal(trx, actor, entityId!)
            if (refusal) throw new ApiError(refusal.status, refusal.code, refusal.message)
          }
          // A refusal rolls back the entity created above with it.
          return unwrap(
            await createCampaign(trx, actor, { ...body, id, entityId: linkedId! }),
            communityLedgerProblem,
          )
        })
        return reply
          .status(result.replayed ? 200 : 201)
          .header('Location', `/api/campaigns/${result.campaign.id}`)
          .send(await campaignForViewer(db, actor, result.campaign))
      },
    )

    app.get(
      '/api/campaigns',
      {
        schema: {
          tags: ['campaigns'],
          summary: 'Campaigns newest first, with what they raised; ?entityId= for one place or project',
          querystring: CampaignListQuery,
          response: { 200: CampaignList, ...errorResponses(400) },
        },
      },
      async (request) => {
        const { limit = campaignPageSizeDefault, cursor, entityId } = request.query
        const result = unwrap(
          await listCampaigns(db, {
            limit,
            ...(cursor ? { cursor } : {}),
            ...(entityId ? { entityId } : {}),
          }),
          communityLedgerProblem,
        )
        // On one thing, a signed-in reader learns whether they may open a campaign there (the route's own rule).
        const canOpen =
          entityId && request.actor
            ? { canOpen: (await campaignOpeningRefusal(db, request.actor, entityId)) === null }
            : {}
        return {
          items: await campaignsForViewer(db, request.actor, result.items),
          nextCursor: result.nextCursor,
          ...canOpen,
        }
      },
    )

    app.get(
      '/api/campaigns/:id',
      {
        schema: {
          tags: ['campaigns'],
          summary: 'A campaign: ratio, cap, goal, raised, backers, state',
          params: EntityIdParams,
          response: { 200: Campaign, ...errorResponses(404) },
        },
      },
      async (request) => {
        const campaign = await campaignView(db, request.params.id)
        if (!campaign) throw new ApiError(404, 'not_found', `no campaign ${request.params.id}`)
        return campaignForViewer(db, request.actor, campaign)
      },
    )

    // The owner's two acts on a campaign: each answers the campaign as the owner now sees it. Each runs in a
    // transaction of its own that commits a refusal too: a campaign found past its end is settled on the way.
    for (const [path, summary, act] of [
      [
        '/api/campaigns/:id/deposit',
        'The owner deposits what the campaign gives back (cap ÷ accept × give): this opens it',
        (...[trx, actor, id]: Parameters<typeof stopCampaign>) =>
          depositCampaign(trx, actor, id, ledger.policy),
      ],
      [
        '/api/campaigns/:id/stop',
        'The owner stops the campaign: every pledge is voided and the deposit returned',
        stopCampaign,
      ],
    ] as const) {
      app.post(
        path,
        {
          schema: {
            tags: ['campaigns'],
            summary,
            security: [{ bearer: [] }],
            params: EntityIdParams,
            response: { 200: Campaign, ...errors },
          },
        },
        async (request) => {
          const actor = requireActor(request)
          const { campaign } = unwrap(
            await guard(() => db.transaction().execute((trx) => act(trx, actor, request.params.id))),
            communityLedgerProblem,
          )
          return campaignForViewer(db, actor, campaign)
        },
      )
    }

    app.post(
      '/api/campaigns/:id/pledges',
      {
        schema: {
          tags: ['campaigns'],
          summary:
            'Back a campaign: the amount (whole steps of the ratio) is held until it settles; cut at the cap',
          description:
            'Send a key as Idempotency-Key or body `id`: a retry answers the same pledge (200). The pledge that reaches the cap settles the campaign at once.',
          security: [{ bearer: [] }],
          params: EntityIdParams,
          headers: IdempotencyHeaders,
          body: PledgeBody,
          response: { 200: PledgeResult, 201: PledgeResult, ...errors },
        },
      },
      async (request, reply) => {
        const id = idempotencyKey(request, request.body.id, true)!
        const actor = requireActor(request)
        const result = unwrap(
          await guard(() =>
            db
              .transaction()
              .execute((trx) =>
                pledge(trx, actor, request.params.id, { id, amount: request.body.amount }, ledger.policy),
              ),
          ),
          communityLedgerProblem,
        )
        return reply
          .status(result.replayed ? 200 : 201)
          .send({ pledge: result.pledge, campaign: await campaignForViewer(db, actor, result.campaign) })
      },
    )

    app.get(
      '/api/campaigns/:id/pledges',
      {
        schema: {
          tags: ['campaigns'],
          summary: 'Pledges in order: all of them for the owner, your own otherwise',
          security: [{ bearer: [] }],
          params: EntityIdParams,
          querystring: PageQuery,
          response: { 200: PledgeList, ...errors },
        },
      },
      async (request) => {
        const { limit = campaignPageSizeDefault, cursor } = request.query
        const result = unwrap(
          await listPledges(db, requireActor(request), request.params.id, {
            limit,
            ...(cursor ? { cursor } : {}),
          }),
          communityLedgerProblem,
        )
        return { items: result.items, nextCursor: result.nextCursor }
      },
    )

    app.post(
      '/api/campaigns/:id/pledges/:pledgeId/withdraw',
      {
        schema: {
          tags: ['campaigns'],
          summary: 'Withdraw your pledge while the campaign runs: its hold is voided',
          security: [{ bearer: [] }],
          params: CampaignPledgeParams,
          response: { 200: Pledge, ...errors },
        },
      },
      async (request) =>
        unwrap(
          await guard(() =>
            db
              .transaction()
              .execute((trx) =>
                withdrawPledge(trx, requireActor(request), request.params.id, request.params.pledgeId),
              ),
          ),
          communityLedgerProblem,
        ).pledge,
    )
  }
}
