import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  IdParams,
  PushDevice,
  PushDeviceList,
  PushPublicKey,
  PushSubscriptionBody,
} from '@quartiere/contracts'
import {
  deletePushDevice,
  type EndpointRule,
  listPushDevices,
  savePushSubscription,
  type VapidKeys,
} from '@quartiere/push'
import { Type } from 'typebox'
import { pushProblem, unwrap } from '../outcome-problems'
import { requireActor } from '../plugins/authentication'
import { errorResponses } from '../problem'
import type { RouteContext } from './context'

/** Web push: the key browsers subscribe with, and the member's devices (packages/push). */
export function pushRoutes(
  { database }: RouteContext,
  push: { vapid: VapidKeys; rule: EndpointRule },
): FastifyPluginAsyncTypebox {
  const { db } = database
  return async (app) => {
    app.get(
      '/api/push/public-key',
      {
        schema: {
          tags: ['notifications'],
          summary: 'The VAPID public key: the applicationServerKey a browser subscribes to push with',
          response: { 200: PushPublicKey },
        },
      },
      async () => ({ publicKey: push.vapid.publicKey }),
    )

    app.get(
      '/api/me/push-devices',
      {
        schema: {
          tags: ['notifications'],
          summary: 'The browsers I turned push notifications on in, oldest first',
          security: [{ bearer: [] }],
          response: { 200: PushDeviceList, ...errorResponses(401) },
        },
      },
      async (request) => ({ items: await listPushDevices(db, requireActor(request).userId) }),
    )

    app.post(
      '/api/me/push-devices',
      {
        schema: {
          tags: ['notifications'],
          summary:
            'Turn push notifications on in this browser: its PushSubscription (201 new, 200 already known)',
          security: [{ bearer: [] }],
          body: PushSubscriptionBody,
          response: { 200: PushDevice, 201: PushDevice, ...errorResponses(400, 401, 409) },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request)
        const { device, created } = unwrap(
          await savePushSubscription(db, actor.userId, request.body, push.rule),
          pushProblem,
        )
        return reply.status(created ? 201 : 200).send(device)
      },
    )

    app.delete(
      '/api/me/push-devices/:id',
      {
        schema: {
          tags: ['notifications'],
          summary: 'Turn push notifications off for one of my browsers',
          security: [{ bearer: [] }],
          params: IdParams,
          response: { 204: Type.Null(), ...errorResponses(400, 401, 404) },
        },
      },
      async (request, reply) => {
        unwrap(await deletePushDevice(db, requireActor(request).userId, request.params.id), pushProblem)
        return reply.status(204).send(null)
      },
    )
  }
}
