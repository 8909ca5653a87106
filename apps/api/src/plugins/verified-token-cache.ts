import type { AccessTokenVerification, TokenIssuer } from '@quartiere/auth'

/** Verified tokens remembered at most; the oldest are forgotten first. */
export const verifiedTokensMax = 10_000

/**
 * Remembers access tokens that verified, until they expire. Verifying an Ed25519 signature costs more CPU than
 * the rest of a ledger request; with one signing key the answer for a given token never changes before its
 * expiry, so a repeat needs no second verification. Refusals are not remembered (they are cheap to repeat
 * and must not fill the cache).
 */
export function cachingVerifier(tokens: TokenIssuer, now: () => number = Date.now) {
  const verified = new Map<string, Extract<AccessTokenVerification, { ok: true }>>()
  return async (token: string): Promise<AccessTokenVerification> => {
    const known = verified.get(token)
    if (known) {
      if (Date.parse(known.claims.expiresAt) > now()) return known
      verified.delete(token)
    }
    const result = await tokens.verifyAccessToken(token)
    if (result.ok) {
      if (verified.size >= verifiedTokensMax) verified.delete(verified.keys().next().value!)
      verified.set(token, result)
    }
    return result
  }
}
