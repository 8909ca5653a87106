import { describe, expect, it } from 'vitest'
import { ApiProblem } from '../api/problem'
import { createI18n } from '../i18n/i18n'
import { messageOf, problemMessage } from './messages'

const problem = (status: number, code: string, detail = 'the server says so') =>
  new ApiProblem({ type: 'about:blank', title: 'Refused', status, code, detail })

describe('problemMessage', () => {
  it('words a refusal the dictionaries know in the reader’s language', () => {
    expect(problemMessage(createI18n('en'), problem(409, 'last_owner'))).toBe(
      'You are its last owner: make someone else an owner before leaving.',
    )
    expect(problemMessage(createI18n('it'), problem(409, 'last_owner'))).toContain('ultimo titolare')
  })

  it('shows the server’s own detail for a code meant for other programs', () => {
    expect(problemMessage(createI18n('it'), problem(400, 'invalid_tile', 'z/x/y out of range'))).toBe(
      'z/x/y out of range',
    )
  })

  it('says “too many attempts” for any 429 without a message of its own', () => {
    expect(problemMessage(createI18n('en'), problem(429, 'slow_down'))).toBe(
      createI18n('en').t('problem.rate_limited'),
    )
    expect(problemMessage(createI18n('en'), problem(429, 'too_many_attempts'))).toBe(
      createI18n('en').t('problem.too_many_attempts'),
    )
  })

  it('passes anything that is not a problem through as text', () => {
    expect(messageOf(createI18n('en'), new Error('boom'))).toBe('Error: boom')
  })
})
