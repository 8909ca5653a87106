import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  authenticate,
  changePassword,
  getUser,
  issueRefreshToken,
  LoginThrottle,
  loginWindowMsDefault,
  registerUser,
  requestEmailVerification,
  requestPasswordReset,
  resetPassword,
  revokeAllRefreshTokens,
  revokeRefreshTokenFamily,
  rotateRefreshToken,
  type User,
  updateProfile,
  verifyEmail,
} from '@quartiere/auth'
import {
  AuthTokens,
  ChangePasswordBody,
  EmailVerificationBody,
  EmailVerified,
  LoginBody,
  PasswordResetConfirmBody,
  PasswordResetRequestBody,
  ProfilePatchBody,
  RefreshBody,
  RegisterBody,
  SessionsRevoked,
  User as UserSchema,
} from '@quartiere/contracts'
import type { FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import {
  authenticationProblem,
  emailLinkProblem,
  passwordChangeProblem,
  passwordResetProblem,
  profileChangeProblem,
  refreshProblem,
  registrationProblem,
  unwrap,
  verificationRequestProblem,
} from '../outcome-problems'
import { requireActor } from '../plugins/authentication'
import { ApiError, errorResponses } from '../problem'
import { backgroundMailer, emailLinkMessage } from './auth-mail'
import type { RouteContext } from './context'

const hourMs = 60 * 60 * 1000

export function authRoutes({ config, database, tokens, mailer }: RouteContext): FastifyPluginAsyncTypebox {
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

  const links = config.emailLinks

  return async (app) => {
    const background = backgroundMailer(mailer, app.log)
    // Messages are sent once their response has gone: what a request answers, and when, never waits for mail.
    const afterResponse = new WeakMap<FastifyRequest, () => void>()
    app.addHook('onResponse', async (request) => {
      afterResponse.get(request)?.()
    })
    app.addHook('onClose', async () => background.drain())

    /** Sends the address-confirmation link of this member once the response is sent. */
    async function sendVerificationAfter(request: FastifyRequest, userId: string) {
      const outcome = await requestEmailVerification(db, userId, {
        ttlSeconds: links.emailVerificationTtlSeconds,
      })
      if (!outcome.ok) return outcome
      const message = emailLinkMessage('email_verification', outcome.issued, {
        linkOrigin: config.mail.linkOrigin,
        ttlSeconds: links.emailVerificationTtlSeconds,
      })
      afterResponse.set(request, () => background.send(message, 'address confirmation'))
      return outcome
    }

    // One limit per address (known or not, its key digested in the database store), one per IP, both per hour.
    // Counted with `createRateLimit`, not as a second route limit: the library runs one limit per request.
    const resetsPerAddress = app.createRateLimit({
      max: links.passwordResetsPerAddressPerHour,
      timeWindow: hourMs,
      keyGenerator: (request: FastifyRequest) =>
        `password-reset:address:${String((request.body as { email?: unknown })?.email ?? '')
          .trim()
          .toLowerCase()}`,
    })
    const verificationsPerMember = app.createRateLimit({
      max: links.verificationEmailsPerMemberPerHour,
      timeWindow: hourMs,
      keyGenerator: (request: FastifyRequest) =>
        `email-verification:user:${request.actor?.userId ?? request.ip}`,
    })
    /** A preHandler refusing with 429 and Retry-After once `limit` is used up. */
    const limitedBy = (limit: typeof resetsPerAddress, what: string) => async (request: FastifyRequest) => {
      const counted = await limit(request)
      if (counted.isAllowed || !counted.isExceeded) return
      throw new ApiError(429, 'rate_limited', `too many ${what}; try again in ${counted.ttlInSeconds} s`, {
        headers: { 'retry-after': String(counted.ttlInSeconds) },
      })
    }

    app.post(
      '/api/auth/password-reset',
      {
        config: { rateLimit: { max: links.passwordResetsPerIpPerHour, timeWindow: hourMs } },
        preHandler: limitedBy(resetsPerAddress, 'reset requests for this address'),
        schema: {
          tags: ['auth'],
          summary: 'Send a password-reset link to this address, if it is a member’s',
          description:
            'Answers 202 whether or not the address belongs to a member, after the same work, so the answer tells ' +
            'nobody which addresses are registered. The message, in the member’s language, is sent after the ' +
            `answer; its link works once, for ${links.passwordResetTtlSeconds / 60} minutes. A new request does ` +
            'not void the links sent before it; the first one used voids the others. Limited per address ' +
            `(${links.passwordResetsPerAddressPerHour} an hour) and per IP (${links.passwordResetsPerIpPerHour} an hour).`,
          body: PasswordResetRequestBody,
          response: { 202: Type.Null(), ...errorResponses(400, 429) },
        },
      },
      async (request, reply) => {
        const issued = await requestPasswordReset(db, request.body.email, {
          ttlSeconds: links.passwordResetTtlSeconds,
        })
        if (issued) {
          const message = emailLinkMessage('password_reset', issued, {
            linkOrigin: config.mail.linkOrigin,
            ttlSeconds: links.passwordResetTtlSeconds,
          })
          afterResponse.set(request, () => background.send(message, 'password reset'))
        }
        return reply.status(202).send(null)
      },
    )

    app.post(
      '/api/auth/password-reset/confirm',
      {
        config: { rateLimit },
        schema: {
          tags: ['auth'],
          summary: 'Set a new password with the token of a reset link; every session is signed out',
          description:
            'The password rules are the registration’s. The link is spent, with every other reset link of the ' +
            'member, and every refresh token of the member is revoked. An unknown, expired or spent link is ' +
            'refused with its own code (email_link_unknown, email_link_expired, email_link_used).',
          body: PasswordResetConfirmBody,
          response: { 204: Type.Null(), ...errorResponses(400, 409, 410, 429) },
        },
      },
      async (request, reply) => {
        unwrap(
          await db.transaction().execute((trx) => resetPassword(trx, request.body, hashOptions)),
          passwordResetProblem,
        )
        return reply.status(204).send(null)
      },
    )

    app.post(
      '/api/auth/verify-email',
      {
        config: { rateLimit },
        schema: {
          tags: ['auth'],
          summary: 'Confirm a member’s address with the token of the link sent to it',
          description:
            'Needs no sign-in (the link may be opened on another device). The link works once, for ' +
            `${links.emailVerificationTtlSeconds / 3600} hours; any of the member’s confirmation links confirms ` +
            'the address, and spends the others.',
          body: EmailVerificationBody,
          response: { 200: EmailVerified, ...errorResponses(400, 409, 410, 429) },
        },
      },
      async (request) => {
        const { emailVerifiedAt } = unwrap(
          await db.transaction().execute((trx) => verifyEmail(trx, request.body.token)),
          emailLinkProblem,
        )
        return { emailVerifiedAt }
      },
    )

    app.post(
      '/api/me/email-verification',
      {
        preHandler: limitedBy(verificationsPerMember, 'new confirmation links'),
        schema: {
          tags: ['auth'],
          summary: 'Send me a new link to confirm my address',
          description:
            'The earlier links keep working until they expire. Refused when the address is confirmed already. ' +
            `Limited to ${links.verificationEmailsPerMemberPerHour} an hour per member.`,
          security: [{ bearer: [] }],
          response: { 202: Type.Null(), ...errorResponses(401, 409, 429) },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request)
        unwrap(await sendVerificationAfter(request, actor.userId), verificationRequestProblem)
        return reply.status(202).send(null)
      },
    )

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
        // The address is confirmed by the link this sends (after the answer); until then payments are small.
        await sendVerificationAfter(request, user.id)
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
