import { Problem } from '@quartiere/contracts'
import type { FieldError } from '@quartiere/map'

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
  return (
    (statusTitles as Record<number, string>)[status] ??
    (status >= 500 ? 'Internal Server Error' : 'Bad Request')
  )
}

const statusTitles = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  410: 'Gone',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
} as const satisfies Record<number, string>

/** A status the API answers with a problem body. */
export type ProblemStatus = keyof typeof statusTitles

/**
 * The error responses of a route, for its schema (and so for /openapi.json): each status answers a problem.
 *
 * @example
 * response: { 200: Post, ...errorResponses(400, 401, 404) }
 */
export function errorResponses<S extends ProblemStatus[]>(...statuses: S): Record<S[number], typeof Problem> {
  return Object.fromEntries(statuses.map((status) => [status, Problem])) as Record<S[number], typeof Problem>
}
