import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { DeleteAccountBody, PersonalDataExport } from '@quartiere/contracts'
import { LocalDiskMediaStore, type MediaStore } from '@quartiere/media'
import { eraseAccount, exportPersonalData } from '@quartiere/personal-data'
import type { FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { erasureProblem, unwrap } from '../outcome-problems'
import type { AccountPresence } from '../plugins/account-presence'
import { requireActor } from '../plugins/authentication'
import { ApiError, errorResponses } from '../problem'
import type { RouteContext } from './context'

/** Exports per member per hour: each one reads every table, and a member needs one now and then. */
export const personalDataExportsPerHourMax = 5
/** Erasure attempts per member per hour: each checks a password, which must not be guessable with a stolen token. */
export const erasureAttemptsPerHourMax = 5

const perMember = (prefix: string) => (request: FastifyRequest) =>
  request.actor ? `${prefix}:user:${request.actor.userId}` : `${prefix}:ip:${request.ip}`

/**
 * A member's own data (GDPR): `GET /api/me/export` (Art. 15 and 20) and `DELETE /api/me` (Art. 17). `GET /api/me`
 * and `POST /api/me/password` live with the other account routes in auth.routes.ts.
 */
export function meRoutes(
  { config, database }: RouteContext,
  presence: AccountPresence,
  store: MediaStore = new LocalDiskMediaStore(config.community.mediaDir),
): FastifyPluginAsyncTypebox {
  const { db } = database
  return async (app) => {
    app.get(
      '/api/me/export',
      {
        config: {
          rateLimit: {
            max: personalDataExportsPerHourMax,
            timeWindow: '1 hour',
            keyGenerator: perMember('personal-data-export'),
          },
        },
        schema: {
          tags: ['auth'],
          summary: 'Everything the platform holds about me, as one JSON document (GDPR Art. 15 and 20)',
          description:
            'Answered as an attachment. One section per kind of data: profile, sessions, accounts with balances, ' +
            'every transfer and exchange on my accounts, the things I mapped (exact locations included), posts, ' +
            'comments, images, groups, follows, notifications, reports I made, pacts, campaigns and pledges. Other ' +
            `people appear by id and display name only. At most ${personalDataExportsPerHourMax} an hour.`,
          security: [{ bearer: [] }],
          response: { 200: PersonalDataExport, ...errorResponses(401, 429) },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request)
        const data = await exportPersonalData(db, actor.userId)
        if (!data) throw new ApiError(401, 'unauthorized', 'the account no longer exists')
        const day = data.generatedAt.slice(0, 10)
        return reply
          .header('Content-Disposition', `attachment; filename="quartiere-personal-data-${day}.json"`)
          .header('Cache-Control', 'no-store')
          .send(data)
      },
    )

    app.delete(
      '/api/me',
      {
        config: {
          rateLimit: {
            max: erasureAttemptsPerHourMax,
            timeWindow: '1 hour',
            keyGenerator: perMember('erasure'),
          },
        },
        schema: {
          tags: ['auth'],
          summary: 'Erase my account and my personal data (GDPR Art. 17)',
          description:
            'Asks for the current password. Refused (422) while a hold, exchange or pledge of mine is in progress ' +
            '(`pending_transfers`), while I am the only owner of a group (`sole_group_owner`) and while a campaign ' +
            'of mine runs (`campaign_running`), and while I am the last admin (`last_admin`). Then my sessions, memberships, follows, notifications and reports ' +
            'go; my posts, comments and map things stay under "Former member" (those at a private location are ' +
            'deleted); my transfers stay, on accounts frozen at their balance under a pseudonymous tombstone; my ' +
            'images are deleted. Nothing links to me afterwards, and my access tokens stop working.',
          security: [{ bearer: [] }],
          body: DeleteAccountBody,
          response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 422, 429) },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request)
        const outcome = unwrap(await eraseAccount(db, actor.userId, request.body.password), erasureProblem)
        presence.forget(actor.userId)
        // After the commit: a file deleted for an erasure that then rolled back could not be brought back.
        for (const key of outcome.mediaStorageKeys) {
          try {
            await store.deletePrefix(key)
          } catch (error) {
            request.log.error({ err: error, storageKey: key }, 'deleting an erased member’s image failed')
          }
        }
        return reply.status(204).send(null)
      },
    )
  }
}
