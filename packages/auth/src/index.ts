export {
  type EmailLinkFailureCode,
  type EmailTokenPurpose,
  type EmailVerificationOutcome,
  emailTokenBytesMax,
  emailTokenPruneRowsMax,
  emailTokenRetentionSeconds,
  emailVerificationTtlSecondsDefault,
  type IssuedEmailToken,
  type PasswordResetOutcome,
  passwordResetTtlSecondsDefault,
  requestEmailVerification,
  requestPasswordReset,
  resetPassword,
  type VerificationRequestOutcome,
  verifyEmail,
} from './email-tokens'
export {
  LoginThrottle,
  type LoginThrottleOptions,
  loginFailuresMaxDefault,
  loginFailuresPruneIntervalMs,
  loginFailuresPruneRowsMax,
  loginWindowMsDefault,
} from './login-throttle'
export { type MemberSearchOutcome, searchMembers } from './member-directory'
export type { PasswordHashOptions } from './password'
export {
  hashPassword,
  needsRehash,
  passwordKeyBytes,
  passwordLength,
  passwordLengthMax,
  passwordLengthMin,
  passwordLog2NDefault,
  passwordLog2NMax,
  passwordLog2NMin,
  passwordSaltBytes,
  verifyPassword,
} from './password'
export {
  type AccountEmailLink,
  type AccountProfile,
  type AccountSession,
  accountUserReferences,
  confirmPassword,
  deleteErasedUser,
  eraseAccountSessions,
  exportAccountData,
  insertTombstone,
  lockMemberForErasure,
  moveAccountHistory,
  type PasswordConfirmation,
  tombstoneDisplayName,
  tombstoneEmailDomain,
} from './personal-data/account-data'
export type { IssuedRefreshToken, RefreshTokenRotation } from './refresh-tokens'
export {
  issueRefreshToken,
  refreshTokenBytesMax,
  refreshTokenTtlSeconds,
  revokeAllRefreshTokens,
  revokeRefreshTokenFamily,
  rotateRefreshToken,
} from './refresh-tokens'
export {
  changeRole,
  isLastAdmin,
  listRoleChanges,
  type PersonRef,
  type RoleChange,
  type RoleChangeFailureCode,
  type RoleChangeOutcome,
  type RoleChangeRequest,
  type RoleChangesPage,
  roleChangeLockKey,
  userIdByEmail,
} from './roles.service'
export type {
  AccessTokenClaims,
  AccessTokenSubject,
  AccessTokenVerification,
  TokenIssuer,
  TokenIssuerOptions,
} from './tokens'
export {
  accessTokenBytesMax,
  accessTokenClockToleranceSeconds,
  accessTokenTtlSecondsDefault,
  accessTokenType,
  createTokenIssuer,
} from './tokens'
export type { Db, User, UserLocale, UserRole, UserRow } from './users.repository'
export { toUser, userLocales, userRoles } from './users.repository'
export type {
  AuthenticationOutcome,
  PasswordChangeOutcome,
  ProfileChange,
  ProfileChangeOutcome,
  Registration,
  RegistrationOutcome,
  WeakPasswordReason,
} from './users.service'
export {
  authenticate,
  changePassword,
  getUser,
  passwordWeakness,
  registerUser,
  updateProfile,
} from './users.service'
