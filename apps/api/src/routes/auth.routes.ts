import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  authenticate,
  changePassword,
  getUser,
  issueRefreshToken,
  LoginThrottle,
  loginWindowMsDefault,
  registerUser,
  revokeRefreshTokenFamily,
  rotateRefreshToken,
  type User,
} from '@quartiere/auth'
import {
  AuthTokens,
  ChangePasswordBody,
  LoginBody,
  Problem,
  RefreshBody,
  RegisterBody,
  User as UserSchema,
} from '@quartiere/contracts'
import { Type } from 'typebox'
import { requireActor } from '../plugins/authentication'
import { ApiError } from '../problem'
import type { RouteContext } from './context'

const weakPasswordMessages = {
  too_short: 'the password must have at least 10 characters',
  too_long: 'the password must have at most 256 characters',
  matches_identity: 'the password must not be your email or your name',
} as const

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
          response: { 201: AuthTokens, 400: Problem, 409: Problem, 429: Problem },
        },
      },
      async (request, reply) => {
        const outcome = await registerUser(db, request.body, hashOptions)
        if (!outcome.ok) {
          switch (outcome.code) {
            case 'email_taken':
              throw new ApiError(
                409,
                'email_taken',
                'an account with this email exists already; log in instead',
              )
            case 'weak_password':
              throw new ApiError(400, 'weak_password', weakPasswordMessages[outcome.reason], {
                errors: [{ path: '/body/password', message: weakPasswordMessages[outcome.reason] }],
              })
          }
        }
        return reply.status(201).send(await pairFor(outcome.user))
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
          response: { 200: AuthTokens, 400: Problem, 401: Problem, 429: Problem },
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
          throw new ApiError(401, 'invalid_credentials', 'the email or the password is wrong')
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
          response: { 200: AuthTokens, 400: Problem, 401: Problem, 429: Problem },
        },
      },
      async (request) => {
        // The rotation commits even when it refuses: refusing a reused token revokes its whole family.
        const rotation = await db
          .transaction()
          .execute((trx) => rotateRefreshToken(trx, request.body.refreshToken))
        if (!rotation.ok) {
          throw new ApiError(
            401,
            rotation.code,
            rotation.code === 'refresh_token_reused'
              ? 'this refresh token was used already; every session it started is now signed out, log in again'
              : 'the refresh token is invalid or expired; log in again',
          )
        }
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
          response: { 204: Type.Null(), 400: Problem, 429: Problem },
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
          response: { 200: AuthTokens, 400: Problem, 401: Problem, 403: Problem, 429: Problem },
        },
      },
      async (request) => {
        const actor = requireActor(request)
        const outcome = await db
          .transaction()
          .execute((trx) => changePassword(trx, actor.userId, request.body, hashOptions))
        if (!outcome.ok && outcome.code === 'invalid_credentials') {
          throw new ApiError(403, 'invalid_credentials', 'the current password is wrong')
        }
        if (!outcome.ok) {
          throw new ApiError(400, 'weak_password', weakPasswordMessages[outcome.reason], {
            errors: [{ path: '/body/newPassword', message: weakPasswordMessages[outcome.reason] }],
          })
        }
        return pairFor(outcome.user)
      },
    )

    app.get(
      '/api/me',
      {
        schema: {
          tags: ['auth'],
          summary: 'The signed-in user',
          security: [{ bearer: [] }],
          response: { 200: UserSchema, 401: Problem },
        },
      },
      async (request) => {
        const actor = requireActor(request)
        const user = await getUser(db, actor.userId)
        if (!user) throw new ApiError(401, 'unauthorized', 'the account no longer exists')
        return user
      },
    )
  }
}
