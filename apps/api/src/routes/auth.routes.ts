import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  authenticate,
  changePassword,
  getUser,
  issueRefreshToken,
  LoginThrottle,
  loginWindowMsDefault,
  registerUser,
  revokeAllRefreshTokens,
  revokeRefreshTokenFamily,
  rotateRefreshToken,
  type User,
  updateProfile,
} from '@quartiere/auth'
import {
  AuthTokens,
  ChangePasswordBody,
  LoginBody,
  ProfilePatchBody,
  RefreshBody,
  RegisterBody,
  SessionsRevoked,
  User as UserSchema,
} from '@quartiere/contracts'
import { Type } from 'typebox'
import {
  authenticationProblem,
  passwordChangeProblem,
  profileChangeProblem,
  refreshProblem,
  registrationProblem,
  unwrap,
} from '../outcome-problems'
import { requireActor } from '../plugins/authentication'
import { ApiError, errorResponses } from '../problem'
import type { RouteContext } from './context'

export function authRoutes({ config, database, tokens }: RouteContext): FastifyPluginAsyncTypebox {
  const { db } = database
  const hashOptions = { log2N: config.passwordLog2N }
  const rateLimit = { max: config.authRateLimitPerMinute, timeWindow: '1 minute' }
  // Failed logins are counted in the database, so every instance refuses an account at the same count.
  const throttle = new LoginThrottle(db, {
    failuresMax: config.loginFailuresPerAccountMax,
    windowMs: loginWindowMsDefault,
  })

  /** A fresh access token for the user, with the refresh token of this login (new, or the rotated one). */
  async function pairFor(user: User, refresh?: { token: string; expiresAt: string }) {
    const accessToken = await tokens.signAccessToken({ userId: user.id, role: user.role })
    const { token, expiresAt } = refresh ?? (await issueRefreshToken(db, { userId: user.id }))
    return {
      user,
      accessToken,
      accessTokenExpiresAt: new Date(Date.now() + config.accessTokenTtlSeconds * 1000).toISOString(),
      refreshToken: token,
      refreshTokenExpiresAt: expiresAt,
    }
  }

  return async (app) => {
    app.post(
      '/api/auth/register',
      {
        config: { rateLimit },
        schema: {
          tags: ['auth'],
          summary: 'Create a member account and sign in',
          body: RegisterBody,
          response: { 201: AuthTokens, ...errorResponses(400, 409, 429) },
        },
      },
      async (request, reply) => {
        const { user } = unwrap(await registerUser(db, request.body, hashOptions), registrationProblem)
        return reply.status(201).send(await pairFor(user))
      },
    )

    app.post(
      '/api/auth/login',
      {
        config: { rateLimit },
        schema: {
          tags: ['auth'],
          summary: 'Sign in with email and password',
          body: LoginBody,
          response: { 200: AuthTokens, ...errorResponses(400, 401, 429) },
        },
      },
      async (request) => {
        const { email } = request.body
        const wait = await throttle.retryAfterSeconds(email)
        if (wait > 0) {
          throw new ApiError(
            429,
            'too_many_attempts',
            `too many failed logins for this account; try again in ${wait} s`,
            { headers: { 'retry-after': String(wait) } },
          )
        }
        const outcome = await authenticate(db, request.body, hashOptions)
        if (!outcome.ok) {
          await throttle.failed(email)
          throw authenticationProblem(outcome)
        }
        await throttle.succeeded(email)
        return pairFor(outcome.user)
      },
    )

    app.post(
      '/api/auth/refresh',
      {
        config: { rateLimit },
        schema: {
          tags: ['auth'],
          summary: 'Trade a refresh token for a new pair (the old refresh token is spent)',
          body: RefreshBody,
          response: { 200: AuthTokens, ...errorResponses(400, 401, 429) },
        },
      },
      async (request) => {
        // The rotation commits even when it refuses: refusing a reused token revokes its whole family.
        const rotation = unwrap(
          await db.transaction().execute((trx) => rotateRefreshToken(trx, request.body.refreshToken)),
          refreshProblem,
        )
        const user = await getUser(db, rotation.userId)
        if (!user) throw new ApiError(401, 'invalid_refresh_token', 'the account no longer exists')
        return pairFor(user, rotation)
      },
    )

    app.post(
      '/api/auth/logout',
      {
        config: { rateLimit },
        schema: {
          tags: ['auth'],
          summary: 'Sign out: revoke the refresh token and every token rotated from it',
          body: RefreshBody,
          response: { 204: Type.Null(), ...errorResponses(400, 429) },
        },
      },
      async (request, reply) => {
        await revokeRefreshTokenFamily(db, request.body.refreshToken)
        return reply.status(204).send(null)
      },
    )

    app.post(
      '/api/me/password',
      {
        config: { rateLimit },
        schema: {
          tags: ['auth'],
          summary: 'Change my password; every other session is signed out',
          description:
            'Checks the current password, sets the new one and revokes every refresh token of the account. ' +
            'Answers a fresh token pair for this session.',
          security: [{ bearer: [] }],
          body: ChangePasswordBody,
          response: { 200: AuthTokens, ...errorResponses(400, 401, 403, 429) },
        },
      },
      async (request) => {
        const actor = requireActor(request)
        const { user } = unwrap(
          await db
            .transaction()
            .execute((trx) => changePassword(trx, actor.userId, request.body, hashOptions)),
          passwordChangeProblem,
        )
        return pairFor(user)
      },
    )

    app.get(
      '/api/me',
      {
        schema: {
          tags: ['auth'],
          summary: 'The signed-in user',
          security: [{ bearer: [] }],
          response: { 200: UserSchema, ...errorResponses(401) },
        },
      },
      async (request) => {
        const actor = requireActor(request)
        const user = await getUser(db, actor.userId)
        if (!user) throw new ApiError(401, 'unauthorized', 'the account no longer exists')
        return user
      },
    )

    app.patch(
      '/api/me',
      {
        config: { rateLimit },
        schema: {
          tags: ['auth'],
          summary: 'Change my display name and/or my language',
          description:
            'Others see the display name beside my posts and things; the language is the one the platform ' +
            'speaks to me in. Answers the account as now stored.',
          security: [{ bearer: [] }],
          body: ProfilePatchBody,
          response: { 200: UserSchema, ...errorResponses(400, 401, 429) },
        },
      },
      async (request) => {
        const actor = requireActor(request)
        return unwrap(await updateProfile(db, actor.userId, request.body), profileChangeProblem).user
      },
    )

    app.delete(
      '/api/me/sessions',
      {
        config: { rateLimit },
        schema: {
          tags: ['auth'],
          summary: 'Sign out everywhere: revoke every refresh token of my account, this session’s included',
          description:
            'Every device has to log in again when its access token runs out (within minutes); the access ' +
            'tokens already issued are not recalled. Answers how many sessions were signed out.',
          security: [{ bearer: [] }],
          response: { 200: SessionsRevoked, ...errorResponses(401, 429) },
        },
      },
      async (request) => {
        const actor = requireActor(request)
        return { revoked: await revokeAllRefreshTokens(db, actor.userId) }
      },
    )
  }
}
