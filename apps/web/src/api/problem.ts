import type { Problem } from '@quartiere/contracts'

/**
 * An API refusal as the client sees it: the RFC 9457 problem the server sent (its stable `code`, field errors),
 * or a synthetic one when the network or the server failed before a problem could be read.
 */
export class ApiProblem extends Error {
  readonly status: number
  readonly code: string
  readonly detail: string
  readonly errors: NonNullable<Problem['errors']>
  /** The current ETag when the server answered 412: the version someone else wrote. */
  readonly etag: string | null

  constructor(problem: Problem, etag: string | null = null) {
    super(problem.detail ?? problem.title)
    this.name = 'ApiProblem'
    this.status = problem.status
    this.code = problem.code
    this.detail = problem.detail ?? problem.title
    this.errors = problem.errors ?? []
    this.etag = etag
  }

  /** Field errors keyed by the field they name: `/body/title` and `/title` both become `title`. */
  fieldErrors(): Record<string, string> {
    const byField: Record<string, string> = {}
    for (const error of this.errors) {
      const field = fieldOf(error.path)
      if (field && !(field in byField)) byField[field] = error.message
    }
    return byField
  }
}

/** The first meaningful segment of a JSON pointer: `/body/properties/startsAt` → `properties.startsAt`. */
export function fieldOf(path: string): string {
  const segments = path.split('/').filter((segment) => segment !== '' && segment !== 'body')
  if (segments[0] === 'properties' && segments[1]) return `properties.${segments[1]}`
  return segments[0] ?? ''
}

/** A network failure (offline, connection refused) turned into the one error type the UI handles. */
export function networkProblem(error: unknown): ApiProblem {
  return new ApiProblem({
    type: 'about:blank',
    title: 'Network error',
    status: 0,
    code: 'network_error',
    detail: error instanceof Error ? error.message : String(error),
  })
}

export async function problemFrom(response: Response): Promise<ApiProblem> {
  const etag = response.headers.get('etag')
  const text = await response.text().catch(() => '')
  try {
    const body = JSON.parse(text) as Partial<Problem>
    if (typeof body.code === 'string' && typeof body.status === 'number') {
      return new ApiProblem(body as Problem, etag)
    }
  } catch {
    // Not JSON: a proxy's HTML error page, say. Fall through to a generic problem with the status.
  }
  return new ApiProblem(
    {
      type: 'about:blank',
      title: response.statusText || 'Error',
      status: response.status,
      code: 'http_error',
    },
    etag,
  )
}
