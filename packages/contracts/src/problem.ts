import { type Static, Type } from 'typebox'

/** RFC 9457 problem details, with a stable machine-readable `code`. Served as application/problem+json. */
export const Problem = Type.Object(
  {
    type: Type.String({ description: 'A URI naming the kind of problem.' }),
    title: Type.String(),
    status: Type.Integer({ minimum: 400, maximum: 599 }),
    detail: Type.Optional(Type.String()),
    code: Type.String({ description: 'Stable identifier of the problem, e.g. "version_mismatch".' }),
    instance: Type.Optional(Type.String()),
    errors: Type.Optional(
      Type.Array(
        Type.Object({ path: Type.String(), message: Type.String() }, { additionalProperties: false }),
        { description: 'Field-level validation messages.' },
      ),
    ),
  },
  { $id: 'Problem', additionalProperties: false },
)
export type Problem = Static<typeof Problem>
