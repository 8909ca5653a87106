import { describe, expect, it } from 'vitest'
import { reconnectDelayMaxMs, reconnectDelayMinMs, reconnectDelayMs } from './live'

describe('live reconnect backoff', () => {
  it('doubles from the first delay up to the cap, with bounded jitter', () => {
    expect(reconnectDelayMs(0, () => 0.5)).toBe(reconnectDelayMinMs)
    expect(reconnectDelayMs(3, () => 0.5)).toBe(reconnectDelayMinMs * 8)
    expect(reconnectDelayMs(50, () => 0.5)).toBe(reconnectDelayMaxMs)
    expect(reconnectDelayMs(2, () => 0)).toBe(reconnectDelayMinMs * 4 * 0.75)
    expect(reconnectDelayMs(2, () => 1)).toBe(reconnectDelayMinMs * 4 * 1.25)
  })
})
