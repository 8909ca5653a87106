/** A field-level message, to show next to the field in a form. */
export interface FieldError {
  path: string
  message: string
}

/**
 * Why a map operation did not happen. Each code is a business outcome the caller must handle (the API turns
 * them into problem responses); programming errors are thrown instead.
 */
export type MapFailure =
  | { ok: false; code: 'invalid_geometry'; message: string; path?: string }
  | { ok: false; code: 'geometry_too_large'; message: string; path?: string }
  | { ok: false; code: 'invalid_properties'; message: string; errors: FieldError[] }
  | { ok: false; code: 'invalid_time_window'; message: string }
  | { ok: false; code: 'invalid_query'; message: string }
  | { ok: false; code: 'bbox_too_large'; message: string }
  | { ok: false; code: 'invalid_cursor'; message: string }
  | { ok: false; code: 'parent_not_found'; message: string }
  | { ok: false; code: 'parent_cycle'; message: string }
  | { ok: false; code: 'invalid_status_transition'; message: string }
  | { ok: false; code: 'not_found'; message: string }
  | { ok: false; code: 'forbidden'; message: string }
  | { ok: false; code: 'version_mismatch'; message: string; currentVersion: number }

export type MapOutcome<T> = ({ ok: true } & T) | MapFailure
export type MapFailureCode = MapFailure['code']

export function failure<C extends MapFailureCode>(
  code: C,
  message: string,
  extra?: Omit<Extract<MapFailure, { code: C }>, 'ok' | 'code' | 'message'>,
): Extract<MapFailure, { code: C }> {
  return { ok: false, code, message, ...extra } as Extract<MapFailure, { code: C }>
}
