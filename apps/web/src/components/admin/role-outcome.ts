import type { RoleChange, RoleChangeResult } from '@quartiere/contracts'
import type { userRoles } from '@quartiere/contracts/enums'
import { ApiProblem } from '../../api/problem'
import type { MessageKey } from '../../i18n/dictionaries'
import type { I18n } from '../../i18n/i18n'
import type { FormNote } from '../form-message'
import { problemMessage } from '../messages'

export type PlatformRole = (typeof userRoles)[number]

/** Each platform role's name for people; a record, so a role added to the enums fails the type check here. */
const roleNameKeys: Record<PlatformRole, MessageKey> = {
  member: 'admin.role.member',
  moderator: 'admin.role.moderator',
  researcher: 'admin.role.researcher',
  admin: 'admin.role.admin',
}

export function roleName(i18n: I18n, role: PlatformRole): string {
  return i18n.t(roleNameKeys[role])
}

/**
 * The sentence for the API's answer to a role change: the member's new role, or that they had it already
 * (the API changed nothing and wrote no log entry).
 */
export function roleChangeNote(i18n: I18n, memberName: string, result: RoleChangeResult): FormNote {
  const role = roleName(i18n, result.role)
  return {
    ok: true,
    text: result.change
      ? i18n.t('admin.changed', { name: memberName, role })
      : i18n.t('admin.unchanged', { name: memberName, role }),
  }
}

/**
 * The sentence for a refused role change. The API's own codes (`last_admin`, `forbidden`, `not_found`) are said
 * in the reader's language with the member's name where it helps; anything else as every form says it.
 */
export function roleRefusalNote(i18n: I18n, memberName: string, failure: unknown): FormNote {
  if (!(failure instanceof ApiProblem)) return { ok: false, text: String(failure) }
  switch (failure.code) {
    case 'last_admin':
      return { ok: false, text: i18n.t('admin.refused.lastAdmin') }
    case 'forbidden':
      return { ok: false, text: i18n.t('admin.refused.forbidden') }
    case 'not_found':
      return { ok: false, text: i18n.t('admin.refused.notFound', { name: memberName }) }
    default:
      return { ok: false, text: problemMessage(i18n, failure) }
  }
}

/** One line of the role changes log: who went from which role to which, and by whom (or the server console). */
export function roleChangeLine(i18n: I18n, change: RoleChange): string {
  const values = {
    name: change.user.displayName,
    from: roleName(i18n, change.oldRole),
    to: roleName(i18n, change.newRole),
  }
  return change.changedBy
    ? i18n.t('admin.log.line', { ...values, by: change.changedBy.displayName })
    : i18n.t('admin.log.lineConsole', values)
}
