import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  EmailPreferences,
  EmailPreferencesPatch,
  UnsubscribeQuery,
  UnsubscribeResult,
} from '@quartiere/contracts'
import {
  getEmailPreferences,
  resumeMailDelivery,
  setDigestFrequency,
  unsubscribeByToken,
} from '@quartiere/digests'
import { requireActor } from '../plugins/authentication'
import { ApiError, errorResponses } from '../problem'
import type { RouteContext } from './context'

/** Unsubscribe requests per IP per minute: a token is 248 random bits, but guessing costs nothing to try. */
export const unsubscribesPerMinuteMax = 30
/** The one-click body (`List-Unsubscribe=One-Click`, RFC 8058) is a few bytes; nothing bigger is read. */
export const unsubscribeBodyBytesMax = 2048

/**
 * Email digests: my choice of none, daily or weekly and the state of mail to my address
 * (`/api/me/email-preferences`), and the one-click unsubscribe every digest links to (`POST /unsubscribe`,
 * no sign-in: the token is the proof). A GET of `/unsubscribe` is the web client's page that asks to confirm.
 */
export function digestsRoutes({ config, database }: RouteContext): FastifyPluginAsyncTypebox {
  const { db } = database
  const failuresMax = config.digests.permanentFailuresMax
  const noSuchAccount = () => new ApiError(401, 'unauthorized', 'the account no longer exists')

  return async (app) => {
    app.get(
      '/api/me/email-preferences',
      {
        schema: {
          tags: ['auth'],
          summary: 'My email digest choice and the state of mail to my address',
          security: [{ bearer: [] }],
          response: { 200: EmailPreferences, ...errorResponses(401) },
        },
      },
      async (request) => {
        const actor = requireActor(request)
        const preferences = await getEmailPreferences(db, actor.userId, failuresMax)
        if (!preferences) throw noSuchAccount()
        return preferences
      },
    )

    app.patch(
      '/api/me/email-preferences',
      {
        schema: {
          tags: ['auth'],
          summary: 'Choose how often I get an email digest: none, daily or weekly',
          security: [{ bearer: [] }],
          body: EmailPreferencesPatch,
          response: { 200: EmailPreferences, ...errorResponses(400, 401) },
        },
      },
      async (request) => {
        const actor = requireActor(request)
        if (!(await setDigestFrequency(db, actor.userId, request.body.digestFrequency))) throw noSuchAccount()
        const preferences = await getEmailPreferences(db, actor.userId, failuresMax)
        if (!preferences) throw noSuchAccount()
        return preferences
      },
    )

    app.post(
      '/api/me/email-preferences/resume',
      {
        schema: {
          tags: ['auth'],
          summary: 'I fixed my address: send mail to it again',
          description: `Mail stops after ${failuresMax} permanent refusals in a row; this starts it again and the count from zero.`,
          security: [{ bearer: [] }],
          response: { 200: EmailPreferences, ...errorResponses(401) },
        },
      },
      async (request) => {
        const actor = requireActor(request)
        await resumeMailDelivery(db, actor.userId)
        const preferences = await getEmailPreferences(db, actor.userId, failuresMax)
        if (!preferences) throw noSuchAccount()
        return preferences
      },
    )

    // RFC 8058: mail clients POST `List-Unsubscribe=One-Click` as a form. Read (and ignored) in this scope only.
    app.addContentTypeParser(
      ['application/x-www-form-urlencoded', 'multipart/form-data'],
      { parseAs: 'string', bodyLimit: unsubscribeBodyBytesMax },
      (_request, body, done) => done(null, body),
    )
    app.post(
      '/unsubscribe',
      {
        bodyLimit: unsubscribeBodyBytesMax,
        config: { rateLimit: { max: unsubscribesPerMinuteMax, timeWindow: '1 minute' } },
        schema: {
          tags: ['auth'],
          summary: 'One-click unsubscribe from email digests (RFC 8058): no sign-in, the link’s token',
          description:
            'The address of every digest’s List-Unsubscribe header. Sets that member’s digests to none; doing it ' +
            'again is fine. The body (`List-Unsubscribe=One-Click`) is not needed.',
          querystring: UnsubscribeQuery,
          response: { 200: UnsubscribeResult, ...errorResponses(400, 404, 429) },
        },
      },
      async (request) => {
        const outcome = await unsubscribeByToken(db, request.query.id)
        if (!outcome.ok) throw new ApiError(404, 'unsubscribe_link_invalid', outcome.message)
        return { digestFrequency: 'none' as const }
      },
    )
  }
}
