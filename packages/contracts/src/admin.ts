import { type Static, Type } from 'typebox'
import { UserRole } from './auth'

/** The admins' contract: platform roles and their audit log. */

export const roleChangeReasonLengthMax = 2_000
export const roleChangesPageSizeMax = 100
export const roleChangesPageSizeDefault = 20

const Uuid = Type.String({ format: 'uuid' })
const PersonRef = Type.Object({ id: Uuid, displayName: Type.String() })

export const UserIdParams = Type.Object({ id: Uuid }, { additionalProperties: false })

export const RoleChangeBody = Type.Object(
  {
    role: UserRole,
    reason: Type.Optional(
      Type.String({ maxLength: roleChangeReasonLengthMax, description: 'Why, for the audit log.' }),
    ),
  },
  { additionalProperties: false },
)
export type RoleChangeBody = Static<typeof RoleChangeBody>

export const RoleChange = Type.Object(
  {
    id: Type.String({ pattern: '^[0-9]+$', description: 'Increasing with time.' }),
    user: PersonRef,
    oldRole: UserRole,
    newRole: UserRole,
    changedBy: Type.Union([PersonRef, Type.Null()], {
      description: 'Null for a change made at the server console (`pnpm admin:grant`).',
    }),
    reason: Type.String(),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
)
export type RoleChange = Static<typeof RoleChange>

export const RoleChangeResult = Type.Object(
  {
    id: Uuid,
    role: UserRole,
    change: Type.Union([RoleChange, Type.Null()], {
      description: 'The audit entry; null when the member had this role already (nothing changed).',
    }),
  },
  { additionalProperties: false },
)
export type RoleChangeResult = Static<typeof RoleChangeResult>

export const RoleChangesQuery = Type.Object(
  {
    limit: Type.Optional(
      Type.Integer({ minimum: 1, maximum: roleChangesPageSizeMax, default: roleChangesPageSizeDefault }),
    ),
    cursor: Type.Optional(Type.String({ maxLength: 200, description: 'The `nextCursor` of the last page.' })),
  },
  { additionalProperties: false },
)
export type RoleChangesQuery = Static<typeof RoleChangesQuery>

export const RoleChangeList = Type.Object(
  { items: Type.Array(RoleChange), nextCursor: Type.Union([Type.String(), Type.Null()]) },
  { additionalProperties: false },
)
export type RoleChangeList = Static<typeof RoleChangeList>
