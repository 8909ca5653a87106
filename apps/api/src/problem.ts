import type { LedgerFailure } from '@quartiere/ledger'
import type { FieldError, MapFailure } from '@quartiere/map'

/**
 * The one error the routes throw. The error handler turns it into an RFC 9457 problem+json response with a
 * stable `code`.
 */
export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly title: string
  readonly errors?: FieldError[]
  readonly headers?: Record<string, string>
  constructor(
    status: number,
    code: string,
    detail: string,
    options: { title?: string; errors?: FieldError[]; headers?: Record<string, string> } = {},
  ) {
    super(detail)
    this.status = status
    this.code = code
    this.title = options.title ?? titleOf(status)
    if (options.errors) this.errors = options.errors
    if (options.headers) this.headers = options.headers
  }
}

export const problemTypeBase = 'https://quartiere.example/problems/'

export function titleOf(status: number): string {
  return statusTitles[status] ?? (status >= 500 ? 'Internal Server Error' : 'Bad Request')
}

const statusTitles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
}

/** Maps each business outcome of the map domain to its HTTP status. The switch is exhaustive. */
export function mapFailureToApiError(failure: MapFailure): ApiError {
  switch (failure.code) {
    case 'invalid_geometry':
    case 'geometry_too_large':
    case 'invalid_time_window':
    case 'invalid_query':
    case 'bbox_too_large':
    case 'invalid_cursor':
      return new ApiError(400, failure.code, failure.message, {
        ...('path' in failure && failure.path
          ? { errors: [{ path: failure.path, message: failure.message }] }
          : {}),
      })
    case 'invalid_properties':
      return new ApiError(400, failure.code, failure.message, { errors: failure.errors })
    case 'parent_not_found':
    case 'parent_cycle':
    case 'invalid_status_transition':
      return new ApiError(422, failure.code, failure.message)
    case 'not_found':
      return new ApiError(404, failure.code, failure.message)
    case 'forbidden':
      return new ApiError(403, failure.code, failure.message)
    case 'version_mismatch':
      return new ApiError(412, failure.code, failure.message, {
        headers: { ETag: `"${failure.currentVersion}"` },
      })
    default: {
      const unhandled: never = failure
      throw new Error(`unhandled map outcome ${JSON.stringify(unhandled)}`)
    }
  }
}

/** Maps each refusal of the ledger to its HTTP status. The switch is exhaustive. */
export function ledgerFailureToApiError(failure: LedgerFailure): ApiError {
  switch (failure.code) {
    case 'invalid_amount':
    case 'invalid_cursor':
    case 'idempotency_key_mismatch':
      return new ApiError(400, failure.code, failure.message)
    case 'forbidden':
      return new ApiError(403, failure.code, failure.message)
    case 'not_found':
    case 'pending_not_found':
      return new ApiError(404, failure.code, failure.message)
    case 'exists_with_different_fields':
      return new ApiError(409, failure.code, failure.message)
    case 'exceeds_credit_limit':
    case 'exceeds_upper_limit':
    case 'accounts_must_be_different':
    case 'currency_mismatch':
    case 'account_not_found':
    case 'currency_not_found':
    case 'pending_already_resolved':
    case 'pending_expired':
    case 'exceeds_pending_amount':
    case 'reversal_not_found':
    case 'reversal_not_allowed':
    case 'already_reversed':
    case 'not_exchangeable':
    case 'own_entity':
    case 'limit_below_balance':
    case 'exceeds_transfer_amount_max':
    case 'exceeds_daily_amount_max':
    case 'exceeds_daily_transfers_max':
      return new ApiError(422, failure.code, failure.message)
    default: {
      const unhandled: never = failure.code
      throw new Error(`unhandled ledger outcome ${unhandled}`)
    }
  }
}
