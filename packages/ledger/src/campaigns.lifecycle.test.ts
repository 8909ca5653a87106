import { describe, expect, it } from 'vitest'
import { campaignTransitions, checkCampaignTransition, isSettledState } from './campaigns.lifecycle'
import type { CampaignStoredState } from './campaigns.repository'

const states = Object.keys(campaignTransitions) as CampaignStoredState[]

describe("a campaign's lifecycle", () => {
  it('allows exactly the deposit, the stop and the two settlements of a running campaign', () => {
    const allowed = states.flatMap((from) =>
      states.filter((to) => checkCampaignTransition(from, to) === 'allowed').map((to) => `${from}>${to}`),
    )
    expect(allowed.sort()).toEqual(
      ['locked>failed', 'locked>open', 'locked>stopped', 'open>failed', 'open>funded', 'open>stopped'].sort(),
    )
  })

  it('names why a move is refused: repeated, after the settlement, or skipping a step', () => {
    expect(checkCampaignTransition('open', 'open')).toBe('already')
    expect(checkCampaignTransition('locked', 'locked')).toBe('already')
    expect(checkCampaignTransition('locked', 'funded')).toBe('skipped')
    expect(checkCampaignTransition('open', 'locked')).toBe('skipped')
    for (const from of ['funded', 'stopped', 'failed'] as const) {
      expect(isSettledState(from)).toBe(true)
      for (const to of states.filter((s) => s !== from))
        expect(checkCampaignTransition(from, to)).toBe('settled')
    }
    expect(isSettledState('locked') || isSettledState('open')).toBe(false)
  })
})
