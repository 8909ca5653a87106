/**
 * True when an error means the database cannot be reached right now (refused, dropped, shutting down,
 * starting up, or no connection within the pool's timeout), as opposed to a query that failed. The API answers
 * these with 503 and a Retry-After instead of a 500: the request may succeed once the database is back, and
 * the pool reconnects by itself.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false
  const code = (error as { code?: unknown }).code
  if (typeof code === 'string') {
    if (networkErrorCodes.has(code)) return true
    // SQLSTATE class 08: connection exception; 57P01–57P03: the server is shutting down or starting.
    if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03') return true
  }
  return unavailableMessages.some((pattern) => pattern.test(error.message))
}

const networkErrorCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
])

// node-postgres reports these without a code.
const unavailableMessages = [
  /^Connection terminated/,
  /timeout exceeded when trying to connect/,
  /^Client has encountered a connection error/,
  /Connection terminated unexpectedly/,
]
