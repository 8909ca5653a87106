import type { FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { ApiError } from '../problem'

/** Writes to an existing thing, post or comment name the version they change in If-Match. */
export const IfMatchHeaders = Type.Object({
  'if-match': Type.Optional(
    Type.String({ maxLength: 100, description: 'The ETag (version) you last read.' }),
  ),
})

const ifMatchPattern = /^(?:W\/)?"?(\d{1,9})"?$/

/**
 * The version an If-Match header names (`"3"`, `W/"3"` or `3`), or undefined; anything else is a 400 whose
 * message says whose ETag to send (`of the entity`, `you read`).
 */
export function ifMatchVersion(request: FastifyRequest, whose = 'you read'): number | undefined {
  const header = request.headers['if-match']
  if (header === undefined) return undefined
  const match = ifMatchPattern.exec(String(header).trim())
  if (!match?.[1]) throw new ApiError(400, 'invalid_if_match', `If-Match must be the ETag ${whose}, e.g. "3"`)
  return Number(match[1])
}

/** The version If-Match names; without one the write is refused (428) rather than risk a lost update. */
export function requireIfMatch(request: FastifyRequest, whose = 'you read'): number {
  const version = ifMatchVersion(request, whose)
  if (version === undefined) {
    throw new ApiError(
      428,
      'if_match_required',
      "send If-Match with the ETag you read, so that no one else's change is overwritten",
    )
  }
  return version
}
