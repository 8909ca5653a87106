/**
 * Why an open-data request was not answered. Each code is an expected outcome the API maps to a problem
 * response; programming errors are thrown instead.
 */
export type OpenDataFailure =
  | { ok: false; code: 'invalid_query'; message: string; path?: string }
  /** A `filter` that does not parse or does not fit the collection; `position` is its 1-based character. */
  | { ok: false; code: 'invalid_filter'; message: string; position: number }
  | { ok: false; code: 'invalid_cursor'; message: string }
  | { ok: false; code: 'not_found'; message: string }
  | { ok: false; code: 'forbidden'; message: string }

export type OpenDataOutcome<T> = ({ ok: true } & T) | OpenDataFailure

export function invalidQuery(message: string, parameter?: string): OpenDataFailure {
  return parameter === undefined
    ? { ok: false, code: 'invalid_query', message }
    : { ok: false, code: 'invalid_query', message, path: `/${parameter}` }
}
