/**
 * The outcome of a parser or validator. Bad input is an expected case for these functions, so it is a value
 * the caller must look at rather than an exception it might forget to catch.
 */
export type Result<T> = { ok: true; value: T } | Failure

/** A rejected input: `code` is for programs, `message` for people, `path` points into the input if it helps. */
export type Failure = { ok: false; code: string; message: string; path?: string }

export function ok<T>(value: T): { ok: true; value: T } {
  return { ok: true, value }
}

export function fail(code: string, message: string, path?: string): Failure {
  return path === undefined ? { ok: false, code, message } : { ok: false, code, message, path }
}
