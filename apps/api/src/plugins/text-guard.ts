import type { FastifyInstance } from 'fastify'
import { ApiError } from '../problem'

/** How deep a body is searched; the body limit bounds its size, this bounds the walk's memory. */
const nestingDepthMax = 10_000

/**
 * PostgreSQL's text cannot hold U+0000: a NUL anywhere in a path parameter, query parameter or JSON body (a
 * value or a key) would reach SQL and fail there as a 500. It is refused first, as a 400 that says where. Runs
 * after authentication and schema validation (a preHandler), so those answer first as everywhere else.
 */
export function installTextGuard(app: FastifyInstance) {
  app.addHook('preHandler', async (request) => {
    for (const [part, value] of [
      ['params', request.params],
      ['query', request.query],
      ['body', request.body],
    ] as const) {
      const path = pathOfNul(value)
      if (path !== undefined) {
        throw new ApiError(400, 'invalid_text', 'text may not contain the NUL character (U+0000)', {
          errors: [{ path: `/${part}${path}`, message: 'contains U+0000' }],
        })
      }
    }
  })
}

/** The JSON pointer of the first string (or key) holding U+0000, walked without recursion; undefined if none. */
export function pathOfNul(root: unknown): string | undefined {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value: root, path: '', depth: 0 }]
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop()!
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return path || '/'
    } else if (
      typeof value === 'object' &&
      value !== null &&
      !Buffer.isBuffer(value) &&
      depth < nestingDepthMax
    ) {
      for (const [key, nested] of Object.entries(value)) {
        const at = `${path}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`
        if (key.includes('\u0000')) return at.replaceAll('\u0000', '\\u0000')
        stack.push({ value: nested, path: at, depth: depth + 1 })
      }
    }
  }
  return undefined
}
