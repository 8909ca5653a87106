import { type Static, Type } from 'typebox'

export const membersPageSizeMax = 50
export const membersPageSizeDefault = 20

/**
 * What one member may learn about another to pay them: the id and the display name. Never the email, which
 * stays between a member and the operators.
 */
export const MemberSummary = Type.Object(
  { id: Type.String({ format: 'uuid' }), displayName: Type.String() },
  { additionalProperties: false },
)
export type MemberSummary = Static<typeof MemberSummary>

export const MembersQuery = Type.Object(
  {
    q: Type.String({
      minLength: 1,
      maxLength: 100,
      description: 'The start of a word of the display name, case-insensitive.',
    }),
    limit: Type.Optional(
      Type.Integer({ minimum: 1, maximum: membersPageSizeMax, default: membersPageSizeDefault }),
    ),
    // It carries a display name (100 characters, each up to 6 bytes of JSON), which can take 870 characters.
    cursor: Type.Optional(Type.String({ maxLength: 1024, description: 'From the previous page.' })),
  },
  { additionalProperties: false },
)
export type MembersQuery = Static<typeof MembersQuery>

export const MemberList = Type.Object({
  items: Type.Array(MemberSummary),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
})
export type MemberList = Static<typeof MemberList>
