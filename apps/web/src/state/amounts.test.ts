import { describe, expect, it } from 'vitest'
import {
  checkPledge,
  formatMinor,
  givesBack,
  isMultipleOf,
  parseTypedAmount,
  progressOf,
  roundDownToMultiple,
  toMinor,
} from './amounts'

describe('amounts', () => {
  it('parses what a person types into minor units, refusing more decimals than the currency has', () => {
    expect(parseTypedAmount('2.50', 2)).toBe(250n)
    expect(parseTypedAmount('2,5', 2)).toBe(250n)
    expect(parseTypedAmount(' 3 ', 0)).toBe(3n)
    expect(parseTypedAmount('3.5', 0)).toBeNull()
    expect(parseTypedAmount('1.234', 2)).toBeNull()
    expect(parseTypedAmount('-1', 2)).toBeNull()
    expect(parseTypedAmount('0', 2)).toBeNull()
    expect(parseTypedAmount('abc', 2)).toBeNull()
    expect(parseTypedAmount('', 2)).toBeNull()
  })

  it('round-trips the API strings through minor units', () => {
    expect(toMinor('-2.50', 2)).toBe(-250n)
    expect(toMinor('7', 2)).toBe(700n)
    expect(formatMinor(250n, 2)).toBe('2.50')
    expect(formatMinor(5n, 2)).toBe('0.05')
    expect(formatMinor(-5n, 2)).toBe('-0.05')
    expect(formatMinor(12n, 0)).toBe('12')
  })

  it('knows multiples of a step and rounds down to them', () => {
    expect(isMultipleOf(1000n, 500n)).toBe(true)
    expect(isMultipleOf(1200n, 500n)).toBe(false)
    expect(isMultipleOf(100n, 0n)).toBe(false)
    expect(roundDownToMultiple(1200n, 500n)).toBe(1000n)
  })

  const campaign = { ratio: { accept: '5.00', give: '1' }, cap: '50.00', raised: '40.00' }

  it('checks a pledge as the API will: whole steps of the ratio, cut at the cap', () => {
    expect(checkPledge('7.50', campaign, 2, 0)).toMatchObject({
      ok: false,
      reason: 'not_a_multiple',
      nearest: { below: '5.00', above: '10.00' },
    })
    expect(checkPledge('5', campaign, 2, 0)).toMatchObject({ ok: true, accepted: '5.00', givesBack: '1' })
    // 20.00 asked, 10.00 left under the cap: 10.00 is held and gives back 2.
    expect(checkPledge('20.00', campaign, 2, 0)).toMatchObject({
      ok: true,
      accepted: '10.00',
      givesBack: '2',
    })
    expect(checkPledge('5', { ...campaign, raised: '50.00' }, 2, 0)).toMatchObject({
      ok: false,
      reason: 'campaign_full',
    })
    expect(checkPledge('x', campaign, 2, 0)).toMatchObject({ ok: false, reason: 'invalid_amount' })
  })

  it('computes what comes back and how full a campaign is', () => {
    expect(givesBack('15.00', { accept: '5.00', give: '1.50' }, 2, 2)).toBe('4.50')
    expect(progressOf('40.00', '50.00')).toBe(0.8)
    expect(progressOf('0', '50.00')).toBe(0)
    expect(progressOf('60', '50.00')).toBe(1)
    expect(progressOf('1', '3')).toBe(0.333)
  })
})
