/**
 * Exact amount arithmetic for the wallet: the API speaks decimal strings ("2.50") and so does this module,
 * working in integers of minor units (bigint) so that no float ever decides whether a pledge is a multiple of a
 * ratio or how full a campaign is.
 */

const amountPattern = /^(\d{1,18})(?:[.,](\d+))?$/

/** The number of decimals a decimal string carries: "2.50" → 2, "3" → 0. */
export function decimalsOf(value: string): number {
  return value.split('.')[1]?.length ?? 0
}

/**
 * A person's text as minor units of a currency with `scale` decimals, or null when it is not a positive
 * amount the currency can hold (more decimals than it has, a sign, letters). A comma is read as the decimal
 * separator, as Italian keyboards type it. (The API takes only its strict form: the ledger's `parseWireAmount`.)
 */
export function parseTypedAmount(text: string, scale: number): bigint | null {
  const match = amountPattern.exec(text.trim())
  if (!match) return null
  const whole = match[1] as string
  const fraction = match[2] ?? ''
  if (fraction.length > scale) return null
  const units = BigInt(whole) * 10n ** BigInt(scale) + BigInt(fraction.padEnd(scale, '0') || '0')
  return units > 0n ? units : null
}

/** A decimal string from the API (possibly negative) as minor units at `scale` (extra decimals cut). */
export function toMinor(value: string, scale: number): bigint {
  const negative = value.startsWith('-')
  const [whole = '0', fraction = ''] = value.replace(/^-/, '').split('.')
  const units =
    BigInt(whole || '0') * 10n ** BigInt(scale) + BigInt(fraction.slice(0, scale).padEnd(scale, '0') || '0')
  return negative ? -units : units
}

/** Minor units back to the API's decimal string: 250n at scale 2 → "2.50". */
export function formatMinor(units: bigint, scale: number): string {
  const negative = units < 0n
  const digits = (negative ? -units : units).toString().padStart(scale + 1, '0')
  const whole = scale > 0 ? digits.slice(0, -scale) : digits
  const fraction = scale > 0 ? `.${digits.slice(-scale)}` : ''
  return `${negative ? '-' : ''}${whole}${fraction}`
}

/** What a pledge must be a multiple of: the accepted side of the ratio, in minor units. */
export function isMultipleOf(amount: bigint, step: bigint): boolean {
  return step > 0n && amount % step === 0n
}

/** The largest multiple of `step` not above `amount`. */
export function roundDownToMultiple(amount: bigint, step: bigint): bigint {
  if (step <= 0n) return 0n
  return amount - (amount % step)
}

export interface PledgeCheck {
  ok: boolean
  /** The amount in minor units of the accepted currency, when it parsed. */
  amount: bigint | null
  /** Why not: not an amount, not a multiple of the ratio, or the campaign has nothing left. */
  reason?: 'invalid_amount' | 'not_a_multiple' | 'campaign_full'
  /** When not a multiple: the nearest multiples below and above, as decimal strings. */
  nearest?: { below: string; above: string }
  /** What the API will hold: the amount cut to what is left under the cap. */
  accepted?: string
  /** What it gives back for what is accepted: accepted ÷ accept × give, in the given currency. */
  givesBack?: string
}

export interface CampaignTerms {
  ratio: { accept: string; give: string }
  cap: string
  raised: string
}

/**
 * Checks a pledge before it is sent, as the API will: whole steps of the ratio's accepted side, cut at the cap.
 * The scales are those of the two currencies (the accepted side's decimals, the given side's).
 */
export function checkPledge(
  text: string,
  campaign: CampaignTerms,
  acceptScale: number,
  giveScale: number,
): PledgeCheck {
  const amount = parseTypedAmount(text, acceptScale)
  if (amount === null) return { ok: false, amount: null, reason: 'invalid_amount' }
  const step = toMinor(campaign.ratio.accept, acceptScale)
  if (!isMultipleOf(amount, step)) {
    const below = roundDownToMultiple(amount, step)
    return {
      ok: false,
      amount,
      reason: 'not_a_multiple',
      nearest: { below: formatMinor(below, acceptScale), above: formatMinor(below + step, acceptScale) },
    }
  }
  const left = toMinor(campaign.cap, acceptScale) - toMinor(campaign.raised, acceptScale)
  if (left <= 0n) return { ok: false, amount, reason: 'campaign_full' }
  const accepted = amount < left ? amount : roundDownToMultiple(left, step)
  if (accepted <= 0n) return { ok: false, amount, reason: 'campaign_full' }
  return {
    ok: true,
    amount,
    accepted: formatMinor(accepted, acceptScale),
    givesBack: givesBack(formatMinor(accepted, acceptScale), campaign.ratio, acceptScale, giveScale),
  }
}

/** accepted ÷ accept × give, rounded down to the given currency's scale (pledges are whole steps: exact). */
export function givesBack(
  accepted: string,
  ratio: { accept: string; give: string },
  acceptScale: number,
  giveScale: number,
): string {
  const steps = toMinor(accepted, acceptScale) / toMinor(ratio.accept, acceptScale)
  return formatMinor(steps * toMinor(ratio.give, giveScale), giveScale)
}

/** How full a campaign is, from 0 to 1, exact to a thousandth (what a progress bar can show). */
export function progressOf(raised: string, cap: string): number {
  const scale = Math.max(decimalsOf(raised), decimalsOf(cap))
  const capUnits = toMinor(cap, scale)
  if (capUnits <= 0n) return 0
  const raisedUnits = toMinor(raised, scale)
  const permille = (raisedUnits * 1000n) / capUnits
  return Math.min(1, Math.max(0, Number(permille) / 1000))
}
