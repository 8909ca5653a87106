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
  app.setValidatorCompiler(({ schema, httpPart }) => {
    if (httpPart !== 'body') return coercing.compile(schema)
    const validate = strict.compile(schema)
    // `Type.Optional(Body)` marks a body the client may leave out (posting a hold in full, confirming an
    // exchange): JSON Schema cannot say "absent", so a request without one is let through here.
    if ((schema as { '~optional'?: boolean })['~optional'] !== true) return validate
    const optionalBody = (data: unknown) => {
      if (data === undefined || data === null) {
        optionalBody.errors = null
        return true
      }
      const valid = validate(data)
      optionalBody.errors = validate.errors ?? null
      return valid
    }
    optionalBody.errors = null as typeof validate.errors
    return optionalBody
  })
}
