import { type Static, Type } from 'typebox'
import { userRoles } from './enums'
import { LiteralUnion } from './literal-union'

export const UserRole = LiteralUnion(userRoles)
export type UserRole = (typeof userRoles)[number]
export const Locale = Type.Union([Type.Literal('it'), Type.Literal('en')])

const Email = Type.String({ format: 'email', minLength: 3, maxLength: 254 })
const Password = Type.String({ minLength: 1, maxLength: 256, description: 'At least 10 characters.' })

export const User = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    email: Email,
    displayName: Type.String(),
    role: UserRole,
    locale: Locale,
    createdAt: Type.String({ format: 'date-time' }),
    emailVerifiedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
      description:
        'When the member confirmed their address through the emailed link; null until then (small payments only).',
    }),
  },
  { additionalProperties: false },
)
export type User = Static<typeof User>

/** A display name, as at registration: what other members see beside my posts. */
export const displayNameLengthMax = 100
const DisplayName = Type.String({ minLength: 1, maxLength: displayNameLengthMax })

export const RegisterBody = Type.Object(
  {
    email: Email,
    password: Password,
    displayName: DisplayName,
    locale: Type.Optional(Locale),
  },
  { additionalProperties: false },
)
export type RegisterBody = Static<typeof RegisterBody>

export const LoginBody = Type.Object({ email: Email, password: Password }, { additionalProperties: false })
export type LoginBody = Static<typeof LoginBody>

export const ChangePasswordBody = Type.Object(
  { currentPassword: Password, newPassword: Password },
  { additionalProperties: false },
)
export type ChangePasswordBody = Static<typeof ChangePasswordBody>

/** `PATCH /api/me`: my display name and the language the platform speaks to me in; at least one of them. */
export const ProfilePatchBody = Type.Object(
  { displayName: Type.Optional(DisplayName), locale: Type.Optional(Locale) },
  { additionalProperties: false, minProperties: 1 },
)
export type ProfilePatchBody = Static<typeof ProfilePatchBody>

/** `DELETE /api/me/sessions`: how many sessions (refresh tokens) were signed out. */
export const SessionsRevoked = Type.Object(
  { revoked: Type.Integer({ minimum: 0 }) },
  { additionalProperties: false },
)
export type SessionsRevoked = Static<typeof SessionsRevoked>

export const RefreshBody = Type.Object(
  { refreshToken: Type.String({ minLength: 1, maxLength: 256 }) },
  { additionalProperties: false },
)
export type RefreshBody = Static<typeof RefreshBody>

export const AuthTokens = Type.Object(
  {
    user: User,
    accessToken: Type.String({ description: 'JWT (EdDSA), sent as Authorization: Bearer …' }),
    accessTokenExpiresAt: Type.String({ format: 'date-time' }),
    refreshToken: Type.String({ description: 'Opaque; single use, rotates on each refresh.' }),
    refreshTokenExpiresAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
)
export type AuthTokens = Static<typeof AuthTokens>

/** The token of a link sent by email (a password reset, an address confirmation): opaque, 43 characters. */
const EmailLinkToken = Type.String({ minLength: 1, maxLength: 256 })

/** `POST /api/auth/password-reset`: the address to send a reset link to (answered 202 whether or not it exists). */
export const PasswordResetRequestBody = Type.Object({ email: Email }, { additionalProperties: false })
export type PasswordResetRequestBody = Static<typeof PasswordResetRequestBody>

/** `POST /api/auth/password-reset/confirm`: the link's token and the new password. */
export const PasswordResetConfirmBody = Type.Object(
  { token: EmailLinkToken, password: Password },
  { additionalProperties: false },
)
export type PasswordResetConfirmBody = Static<typeof PasswordResetConfirmBody>

/** `POST /api/auth/verify-email`: the token of the confirmation link. */
export const EmailVerificationBody = Type.Object({ token: EmailLinkToken }, { additionalProperties: false })
export type EmailVerificationBody = Static<typeof EmailVerificationBody>

/** What `POST /api/auth/verify-email` answers: the address is confirmed since then. */
export const EmailVerified = Type.Object(
  { emailVerifiedAt: Type.String({ format: 'date-time' }) },
  { additionalProperties: false },
)
export type EmailVerified = Static<typeof EmailVerified>
