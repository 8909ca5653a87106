/**
 * Coordinates typed by a person, as people write them: latitude first, then longitude, in decimal degrees —
 * "45.07, 7.68", "45.07 7.68", "45.07;7.68", and with Italian decimal commas when the two numbers are apart:
 * "45,07 7,68" or "45,07; 7,68". The map and the API speak [lon, lat]: the result is in that order.
 */

export type Position = [number, number]

export type CoordinatesParse =
  | { ok: true; position: Position }
  | { ok: false; reason: 'format' | 'latitude' | 'longitude' }

/** Up to three integer digits and any decimals, with an optional sign: what a degree value looks like. */
const degreesPattern = /^[+-]?\d{1,3}(?:\.\d+)?$/
/** Only digits, signs, separators and a degree sign: text that means to be coordinates and not an address. */
const coordinateLikePattern = /^[\s\d+\-.,;°]+$/

/** Does the text mean to be coordinates (so a mistake in it is said, rather than searched as an address)? */
export function looksLikeCoordinates(text: string): boolean {
  const trimmed = text.trim()
  return /\d/.test(trimmed) && coordinateLikePattern.test(trimmed)
}

function splitPair(text: string): [string, string] | null {
  const cleaned = text.trim().replaceAll('°', '')
  let parts: string[]
  if (cleaned.includes(';')) parts = cleaned.split(';')
  else if (/\d\s*,\s*[+-]?\d/.test(cleaned) && cleaned.split(',').length === 2) parts = cleaned.split(',')
  else parts = cleaned.split(/\s+/)
  const trimmed = parts.map((part) => part.trim()).filter(Boolean)
  if (trimmed.length !== 2) return null
  // Each number apart from the other may use a decimal comma.
  return [(trimmed[0] as string).replace(',', '.'), (trimmed[1] as string).replace(',', '.')]
}

export function parseCoordinates(text: string): CoordinatesParse {
  const pair = splitPair(text)
  if (!pair?.every((part) => degreesPattern.test(part))) return { ok: false, reason: 'format' }
  const lat = Number(pair[0])
  const lon = Number(pair[1])
  if (!(lat >= -90 && lat <= 90)) return { ok: false, reason: 'latitude' }
  if (!(lon >= -180 && lon <= 180)) return { ok: false, reason: 'longitude' }
  return { ok: true, position: [lon, lat] }
}

/** Five decimals: about a metre, as the URL keeps them. Latitude first, as people read them. */
export function formatCoordinates(position: Position): string {
  return `${position[1].toFixed(5)}, ${position[0].toFixed(5)}`
}
