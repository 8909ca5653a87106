import Ajv from 'ajv'
import addFormats from 'ajv-formats'
import type { FastifyInstance } from 'fastify'

/**
 * Two JSON Schema validators: bodies are checked strictly (no type coercion, unknown properties rejected, so
 * sending `role` or `version` in a body is an error rather than silently ignored), while query strings and
 * path parameters, which are text by nature, are coerced to the declared numbers and booleans.
 */
export function installValidators(app: FastifyInstance) {
  const strict = addFormats(
    new Ajv({
      allErrors: false,
      coerceTypes: false,
      removeAdditional: false,
      useDefaults: true,
      strict: false,
    }),
  )
  const coercing = addFormats(
    new Ajv({
      allErrors: false,
      coerceTypes: true,
      removeAdditional: false,
      useDefaults: true,
      strict: false,
    }),
  )
  app.setValidatorCompiler(({ schema, httpPart }) =>
    httpPart === 'body' ? strict.compile(schema) : coercing.compile(schema),
  )
}
