import type { MapFailure } from '@quartiere/map'
import { describe, expect, it } from 'vitest'
import {
  accessTokenProblem,
  communityProblem,
  erasureProblem,
  mapProblem,
  openDataProblem,
  passwordChangeProblem,
  registrationProblem,
  unwrap,
} from './outcome-problems'
import {
  accessTokenSamples,
  communitySamples,
  erasureSamples,
  mapSamples,
  message,
  openDataSamples,
  passwordChangeSamples,
  registrationSamples,
  renamed,
  unions,
} from './outcome-problems.samples'
import { ApiError } from './problem'

describe('every domain refusal', () => {
  for (const [union, samples, toProblem] of unions) {
    it(`of the ${union} union maps to a client error (4xx) with its stable code`, () => {
      const answers = Object.entries(samples).map(([code, sample]) => {
        const problem = toProblem(sample as never)
        expect(problem).toBeInstanceOf(ApiError)
        return { code, status: problem.status, answered: problem.code }
      })
      expect(answers.length).toBeGreaterThan(0)
      for (const { code, status, answered } of answers) {
        expect(status, `${union} ${code}`).toBeGreaterThanOrEqual(400)
        expect(status, `${union} ${code}`).toBeLessThan(500)
        expect(answered, `${union} ${code}`).toBe(renamed[union]?.[code] ?? code)
      }
    })
  }

  it('keeps what a client acts on: the field, the version, when to retry', () => {
    expect(mapProblem(mapSamples.invalid_geometry).errors).toEqual([{ path: '/body/geometry', message }])
    expect(mapProblem(mapSamples.version_mismatch).headers).toEqual({ ETag: '"3"' })
    expect(communityProblem(communitySamples.rate_limited).headers).toEqual({ 'Retry-After': '60' })
    expect(openDataProblem(openDataSamples.invalid_filter).errors).toEqual([
      { path: '/filter', message: `at character 7: ${message}` },
    ])
    expect(registrationProblem(registrationSamples.weak_password).errors?.[0]?.path).toBe('/body/password')
    expect(passwordChangeProblem(passwordChangeSamples.weak_password).errors?.[0]?.path).toBe(
      '/body/newPassword',
    )
    expect(erasureProblem(erasureSamples.pending_transfers).message).toBe(`${message} (accounts a1)`)
    // The reason a token failed is for the log: the client learns only that it must refresh or log in.
    const badToken = accessTokenProblem(accessTokenSamples.invalid_token)
    expect(badToken.message).not.toContain('k-1')
    expect(badToken.headers).toEqual({ 'WWW-Authenticate': 'Bearer' })
  })
})

describe('unwrap', () => {
  it('answers the value of a success and throws the problem of a refusal', () => {
    const value = unwrap({ ok: true as const, n: 1 } as { ok: true; n: number } | MapFailure, mapProblem)
    expect(value.n).toBe(1)
    expect(() => unwrap(mapSamples.not_found as { ok: true; n: number } | MapFailure, mapProblem)).toThrow(
      expect.objectContaining({ status: 404, code: 'not_found' }),
    )
  })
})
