import type { CampaignStoredState } from './campaigns.repository'

/**
 * The lifecycle of a campaign as stored: it is created locked; the owner's deposit opens it; it ends funded (the
 * pledge that reaches the cap, or the goal met at its end), stopped by its owner, or failed (short of its goal, or
 * never unlocked). Settled states are final. Every change of `campaigns.state` is checked against this table, and
 * nothing else writes the column (campaigns.service.ts's `moveCampaign` is the repository's only caller).
 * (`scheduled` and `ended` are what the API shows of an open campaign before its start and after its end; they
 * are never stored.)
 */
export const campaignTransitions: Readonly<Record<CampaignStoredState, readonly CampaignStoredState[]>> = {
  locked: ['open', 'stopped', 'failed'],
  open: ['funded', 'stopped', 'failed'],
  funded: [],
  stopped: [],
  failed: [],
}

/** A state no transition leaves: the campaign is settled. */
export function isSettledState(state: CampaignStoredState): boolean {
  return campaignTransitions[state].length === 0
}

/**
 * Whether a campaign in state `from` may move to `to`, and if not, why: `already` (it is there), `settled` (it
 * is final) or `skipped` (a step of the lifecycle would be left out, like opening a pledge into a locked one).
 */
export type CampaignTransitionCheck = 'allowed' | 'already' | 'settled' | 'skipped'

export function checkCampaignTransition(
  from: CampaignStoredState,
  to: CampaignStoredState,
): CampaignTransitionCheck {
  if (campaignTransitions[from].includes(to)) return 'allowed'
  if (from === to) return 'already'
  return isSettledState(from) ? 'settled' : 'skipped'
}
