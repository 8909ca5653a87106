import { describe, expect, it } from 'vitest'
import { LoginThrottle } from './login-throttle'

describe('LoginThrottle', () => {
  const clock = () => {
    let now = 1_000_000
    return { now: () => now, advance: (ms: number) => (now += ms) }
  }

  it('refuses an account after too many failures in the window, then lets it try again', () => {
    const time = clock()
    const throttle = new LoginThrottle({ failuresMax: 3, windowMs: 60_000, now: time.now })
    for (let i = 0; i < 3; i++) {
      expect(throttle.retryAfterSeconds('anna@example.org')).toBe(0)
      throttle.failed('anna@example.org')
    }
    expect(throttle.retryAfterSeconds('Anna@Example.org ')).toBe(60)
    expect(throttle.retryAfterSeconds('bruno@example.org')).toBe(0)
    time.advance(30_000)
    expect(throttle.retryAfterSeconds('anna@example.org')).toBe(30)
    time.advance(30_001)
    expect(throttle.retryAfterSeconds('anna@example.org')).toBe(0)
  })

  it('forgets the failures of an account that logs in', () => {
    const throttle = new LoginThrottle({ failuresMax: 2, windowMs: 60_000 })
    throttle.failed('anna@example.org')
    throttle.succeeded('anna@example.org')
    throttle.failed('anna@example.org')
    expect(throttle.retryAfterSeconds('anna@example.org')).toBe(0)
  })

  it('keeps at most accountsMax accounts, dropping the least recently failed', () => {
    const throttle = new LoginThrottle({ failuresMax: 1, windowMs: 60_000, accountsMax: 2 })
    throttle.failed('a')
    throttle.failed('b')
    throttle.failed('c')
    expect(throttle.retryAfterSeconds('a')).toBe(0)
    expect(throttle.retryAfterSeconds('b')).toBeGreaterThan(0)
    expect(throttle.retryAfterSeconds('c')).toBeGreaterThan(0)
  })
})
