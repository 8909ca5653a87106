import { isDatabaseUnavailable } from '@quartiere/db'
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify'
import { ApiError, problemTypeBase, titleOf } from '../problem'

/** What a 503 for an unreachable database asks the client to wait before trying again. */
export const databaseRetryAfterSeconds = 5

interface ProblemBody {
  type: string
  title: string
  status: number
  detail?: string
  code: string
  instance?: string
  errors?: { path: string; message: string }[]
}

export function sendProblem(reply: FastifyReply, body: ProblemBody, headers: Record<string, string> = {}) {
  return reply
    .status(body.status)
    .headers(headers)
    .type('application/problem+json; charset=utf-8')
    .send(JSON.stringify(body))
}

/** Fastify's own client errors, by code, with the stable codes this API promises. */
const fastifyCodes: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_BODY_TOO_LARGE: 'body_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_request',
}

/**
 * Every error leaves as application/problem+json. Client errors say what to fix; a 5xx says nothing about
 * internals (the log has the stack, tagged with the request id that the body also carries).
 */
export function installErrorHandling(app: FastifyInstance) {
  app.setErrorHandler((error: FastifyError | ApiError, request, reply) => {
    const instance = request.url.split('?')[0]
    if (error instanceof ApiError) {
      return sendProblem(
        reply,
        {
          type: problemTypeBase + error.code,
          title: error.title,
          status: error.status,
          detail: error.message,
          code: error.code,
          ...(instance ? { instance } : {}),
          ...(error.errors ? { errors: error.errors } : {}),
        },
        error.headers,
      )
    }
    const fastifyError = error as FastifyError
    if (fastifyError.validation) {
      const errors = fastifyError.validation.slice(0, 10).map((v) => {
        const path = `/${fastifyError.validationContext ?? ''}${v.instancePath ?? ''}`
        const extra =
          v.keyword === 'additionalProperties'
            ? ` (${(v.params as { additionalProperty?: string }).additionalProperty})`
            : ''
        // Ajv's pattern message quotes the regular expression: say what is wrong without echoing the schema.
        const message =
          v.keyword === 'pattern' ? 'does not have the expected form' : (v.message ?? 'is invalid')
        return { path, message: `${message}${extra}` }
      })
      const first = errors[0]
      return sendProblem(reply, {
        type: `${problemTypeBase}invalid_request`,
        title: titleOf(400),
        status: 400,
        detail: first ? `${first.path} ${first.message}` : 'the request is not valid',
        code: 'invalid_request',
        ...(instance ? { instance } : {}),
        errors,
      })
    }
    const status = fastifyError.statusCode ?? 500
    if (status < 500) {
      const code =
        (fastifyError.code && fastifyCodes[fastifyError.code]) ??
        (status === 429 ? 'rate_limited' : 'invalid_request')
      return sendProblem(reply, {
        type: problemTypeBase + code,
        title: titleOf(status),
        status,
        detail: fastifyError.message,
        code,
        ...(instance ? { instance } : {}),
      })
    }
    if (isDatabaseUnavailable(error)) {
      request.log.warn({ err: error }, 'database unavailable')
      return sendProblem(
        reply,
        {
          type: `${problemTypeBase}database_unavailable`,
          title: titleOf(503),
          status: 503,
          detail: 'the database cannot be reached right now; try again shortly',
          code: 'database_unavailable',
          ...(instance ? { instance } : {}),
        },
        { 'retry-after': String(databaseRetryAfterSeconds) },
      )
    }
    request.log.error({ err: error }, 'request failed')
    return sendProblem(reply, {
      type: `${problemTypeBase}internal_error`,
      title: titleOf(status === 503 ? 503 : 500),
      status: status === 503 ? 503 : 500,
      detail: `something went wrong on our side; quote request id ${request.id} when reporting it`,
      code: status === 503 ? 'unavailable' : 'internal_error',
    })
  })
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, {
      type: `${problemTypeBase}route_not_found`,
      title: titleOf(404),
      status: 404,
      detail: `no route ${request.method} ${request.url.split('?')[0]}`,
      code: 'route_not_found',
    }),
  )
}
