import Decimal from 'decimal.js'

/** The largest amount of one transfer, in minor units (the database refuses more too). */
export const amountMinorMax = 1_000_000_000_000_000n

const decimalPattern = /^(?:0|[1-9][0-9]{0,17})(?:\.[0-9]{1,18})?$/

export type AmountParse = { ok: true; minor: bigint } | { ok: false; code: 'invalid_amount'; message: string }

/**
 * Turns a decimal string from the wire ("1.50") into exact minor units of a currency (150 for scale 2).
 * Refuses floats' artefacts instead of rounding them: "1.505" in a currency of scale 2 is an error, not 1.51.
 * Only the API's own form is taken (a dot, no spaces): what a person types is the web's `parseTypedAmount`'s.
 */
export function parseWireAmount(text: string, scale: number): AmountParse {
  if (!decimalPattern.test(text)) {
    return {
      ok: false,
      code: 'invalid_amount',
      message: `amount must be a decimal string like "1.50", got "${text}"`,
    }
  }
  const value = new Decimal(text)
  if (value.decimalPlaces() > scale) {
    return {
      ok: false,
      code: 'invalid_amount',
      message: `amount ${text} has more than ${scale} decimal place${scale === 1 ? '' : 's'}`,
    }
  }
  const minor = BigInt(value.times(new Decimal(10).pow(scale)).toFixed(0))
  if (minor <= 0n) return { ok: false, code: 'invalid_amount', message: 'amount must be greater than zero' }
  if (minor > amountMinorMax) return { ok: false, code: 'invalid_amount', message: 'amount is too large' }
  return { ok: true, minor }
}

/** Minor units back to the wire's decimal string, with exactly `scale` decimals ("-2.50"). */
export function formatAmount(minor: bigint | string, scale: number): string {
  const value = BigInt(minor)
  const negative = value < 0n
  const digits = (negative ? -value : value).toString().padStart(scale + 1, '0')
  const whole = scale === 0 ? digits : digits.slice(0, -scale)
  const fraction = scale === 0 ? '' : `.${digits.slice(-scale)}`
  return `${negative ? '-' : ''}${whole}${fraction}`
}
