import type { RoleChange } from '@quartiere/contracts'
import { userRoles } from '@quartiere/contracts/enums'
import { describe, expect, it } from 'vitest'
import { ApiProblem } from '../../api/problem'
import { createI18n } from '../../i18n/i18n'
import { roleChangeLine, roleChangeNote, roleName, roleRefusalNote } from './role-outcome'

const en = createI18n('en')
const it_ = createI18n('it')
const userId = '0b0d2a5e-5c1f-4a57-9f4e-2b8e6a1c9d3f'
const change: RoleChange = {
  id: '7',
  user: { id: userId, displayName: 'Bruno' },
  oldRole: 'member',
  newRole: 'moderator',
  changedBy: { id: '1b0d2a5e-5c1f-4a57-9f4e-2b8e6a1c9d3f', displayName: 'Anna' },
  reason: 'helps with the reports',
  createdAt: '2026-12-07T08:00:00.000Z',
}
const problem = (status: number, code: string, detail = 'the server says so') =>
  new ApiProblem({ type: 'about:blank', title: 'Refused', status, code, detail })

describe('the admins’ role sentences', () => {
  it('names every platform role in both languages', () => {
    for (const role of userRoles) {
      expect(roleName(en, role)).not.toBe('')
      expect(roleName(it_, role)).not.toBe('')
    }
    expect(roleName(it_, 'moderator')).toBe('moderatore')
    expect(roleName(en, 'admin')).toBe('admin')
  })

  it('says the new role, or that nothing changed when the member had it already', () => {
    expect(roleChangeNote(en, 'Bruno', { id: userId, role: 'moderator', change })).toEqual({
      ok: true,
      text: 'Bruno is now moderator.',
    })
    expect(roleChangeNote(it_, 'Bruno', { id: userId, role: 'moderator', change: null })).toEqual({
      ok: true,
      text: 'Bruno era già moderatore: nulla è cambiato.',
    })
  })

  it('words the API’s refusals for people, the last admin first', () => {
    expect(roleRefusalNote(en, 'Anna', problem(409, 'last_admin'))).toEqual({
      ok: false,
      text: 'You are the last admin: the platform needs at least one. Make someone else an admin first.',
    })
    expect(roleRefusalNote(it_, 'Anna', problem(409, 'last_admin')).text).toContain(
      "Sei l'ultimo amministratore",
    )
    expect(roleRefusalNote(en, 'Anna', problem(403, 'forbidden')).text).toBe(
      'Only an admin may change roles, and you are no longer one.',
    )
    expect(roleRefusalNote(it_, 'Bruno', problem(404, 'not_found')).text).toBe('Bruno non è più un membro.')
  })

  it('says any other refusal as every form does, and a non-problem as it is', () => {
    expect(roleRefusalNote(en, 'Bruno', problem(0, 'network_error')).text).toBe(en.t('problem.network_error'))
    expect(roleRefusalNote(en, 'Bruno', problem(400, 'validation_failed', 'reason is too long')).text).toBe(
      'reason is too long',
    )
    expect(roleRefusalNote(en, 'Bruno', new Error('boom'))).toEqual({ ok: false, text: 'Error: boom' })
  })

  it('writes a log line with who, from which role to which, and by whom or the console', () => {
    expect(roleChangeLine(en, change)).toBe('Bruno: from member to moderator, by Anna')
    expect(roleChangeLine(it_, { ...change, changedBy: null })).toBe(
      'Bruno: da membro a moderatore, dalla console del server',
    )
  })
})
