import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { problemTypeBase } from '../problem'
import { sendProblem } from './errors'

/**
 * The router refuses some requests before any hook or route runs: a path with a malformed percent-encoding
 * (`/api/posts/%`), a path parameter longer than `maxParamLength`. Fastify's own answer to them is plain JSON
 * that echoes the path; these leave as problems with a stable code, like every other refusal.
 */
export function frameworkErrorProblem(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const [status, code, title, detail] =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? [
          414,
          'url_too_long',
          'URI Too Long',
          'a part of the path is longer than any id or code this API uses',
        ]
      : error.code === 'FST_ERR_BAD_URL'
        ? [400, 'invalid_url', 'Bad Request', 'the path is not valid percent-encoded UTF-8']
        : [
            500,
            'internal_error',
            'Internal Server Error',
            `something went wrong on our side; quote request id ${request.id} when reporting it`,
          ]
  if (status === 500) request.log.error({ err: error }, 'request failed in the router')
  return sendProblem(reply, { type: problemTypeBase + code, title, status, detail, code })
}
