import type { UserRole } from '@quartiere/contracts'

/** Who is acting: the signed-in user as the access token says. */
export interface Actor {
  userId: string
  role: UserRole
}

export function isModeratorOrAdmin(actor: Actor): boolean {
  return actor.role === 'moderator' || actor.role === 'admin'
}
