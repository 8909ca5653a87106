import { createHash } from 'node:crypto'

/**
 * A uuid derived from a name (RFC 9562 version 8, from SHA-256): the same resolution of the same hold always
 * gets the same id, so a retried post, or two instances expiring one hold, are recognised as one request.
 */
export function deterministicUuid(name: string): string {
  const bytes = createHash('sha256').update(name).digest().subarray(0, 16)
  bytes[6] = (bytes[6]! & 0x0f) | 0x80
  bytes[8] = (bytes[8]! & 0x3f) | 0x80
  const hex = bytes.toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}
