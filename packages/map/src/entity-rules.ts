import { type EntityKind, entityKinds, propertiesSchemaByKind } from '@quartiere/contracts'
import { Compile } from 'typebox/compile'
import { failure, type MapFailure } from './outcome'

const validators = Object.fromEntries(
  entityKinds.map((kind) => [kind, Compile(propertiesSchemaByKind[kind])]),
) as Record<EntityKind, ReturnType<typeof Compile>>

export type PropertiesCheck = { ok: true; value: Record<string, unknown> } | MapFailure

/**
 * Checks a kind's properties against its closed schema, then the rules a schema cannot say (an event ends
 * after it starts). Messages carry the path under `properties`, so a form can show them by the field.
 */
export function checkKindProperties(kind: EntityKind, properties: Record<string, unknown>): PropertiesCheck {
  const validator = validators[kind]
  if (!validator.Check(properties)) {
    const errors = [...validator.Errors(properties)].slice(0, 20).map((error) => ({
      path: `/properties${error.instancePath}`,
      message:
        error.keyword === 'additionalProperties'
          ? `unknown properties for a ${kind}: ${(error.params as { additionalProperties?: string[] }).additionalProperties?.join(', ')}`
          : error.message,
    }))
    const relevant = errors.filter((e) => !(e.message === 'schema is false'))
    return failure(
      'invalid_properties',
      `the properties do not fit a ${kind}: ${relevant[0]?.path} ${relevant[0]?.message}`,
      {
        errors: relevant,
      },
    )
  }
  if (kind === 'event') {
    const startsAt = Date.parse(properties.startsAt as string)
    const endsAt = Date.parse(properties.endsAt as string)
    if (endsAt < startsAt) {
      return failure('invalid_properties', 'an event cannot end before it starts', {
        errors: [{ path: '/properties/endsAt', message: 'must not be before startsAt' }],
      })
    }
  }
  return { ok: true, value: properties }
}

// The project lifecycle lives in its own module; pacts.service.ts imports the check from here.
export { checkProjectTransition } from './project-lifecycle'

/** Categories keep their spelling; tags are lower-case. Both are trimmed, de-duplicated and kept in order. */
export function normalizeLabels(labels: readonly string[] | undefined, lowerCase: boolean): string[] {
  const seen = new Set<string>()
  for (const raw of labels ?? []) {
    const label = lowerCase ? raw.trim().toLowerCase() : raw.trim()
    if (label) seen.add(label)
  }
  return [...seen]
}

/** The zoom from which a thing shows when its author does not say: the contract's table, the client's too. */
export { defaultZoomLevelByKind } from '@quartiere/contracts'
