import { createTokenIssuer, type TokenIssuer } from '@quartiere/auth'
import { describe, expect, it } from 'vitest'
import { cachingVerifier } from './verified-token-cache'

/** The real issuer, counting how often a signature is actually verified. */
async function countingIssuer() {
  const issuer = await createTokenIssuer({ issuer: 'test', audience: 'test' })
  let verifications = 0
  const counting: TokenIssuer = {
    ...issuer,
    kid: issuer.kid,
    signAccessToken: (subject) => issuer.signAccessToken(subject),
    publicJwks: () => issuer.publicJwks(),
    verifyAccessToken: (token) => {
      verifications += 1
      return issuer.verifyAccessToken(token)
    },
  }
  return { issuer: counting, verifications: () => verifications }
}

describe('cachingVerifier', () => {
  it('verifies a token once while it is valid, and again after its expiry', async () => {
    const { issuer, verifications } = await countingIssuer()
    let clock = Date.now()
    const verify = cachingVerifier(issuer, () => clock)
    const token = await issuer.signAccessToken({
      userId: '00000000-0000-4000-8000-000000000001',
      role: 'member',
    })
    for (let i = 0; i < 5; i++) expect((await verify(token)).ok).toBe(true)
    expect(verifications()).toBe(1)
    clock += 3600_000
    await verify(token)
    expect(verifications()).toBe(2)
  })

  it('never remembers a refusal', async () => {
    const { issuer, verifications } = await countingIssuer()
    const verify = cachingVerifier(issuer)
    expect((await verify('a.b.c')).ok).toBe(false)
    expect((await verify('a.b.c')).ok).toBe(false)
    expect(verifications()).toBe(2)
  })
})
