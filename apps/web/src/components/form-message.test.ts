import { createElement } from 'react'
import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { FormMessage, type FormMessageProps, formMessageAttributes } from './form-message'

const render = (props: FormMessageProps) => renderToStaticMarkup(createElement(FormMessage, props))

describe('FormMessage', () => {
  it('shows nothing without a message or with an empty one', () => {
    expect(render({ message: null })).toBe('')
    expect(render({ message: undefined })).toBe('')
    expect(render({ message: '' })).toBe('')
    expect(render({ message: { ok: false, text: '' } })).toBe('')
  })

  it('shows a string as an alert with the error class', () => {
    expect(render({ message: 'Over the credit line' })).toBe(
      '<p role="alert" class="error">Over the credit line</p>',
    )
  })

  it('shows a success as a status, and a refusal as an alert, with the test id', () => {
    expect(render({ message: { ok: true, text: 'Sent' }, testId: 'send-message' })).toBe(
      '<p role="status" class="ok" data-testid="send-message">Sent</p>',
    )
    expect(render({ message: { ok: false, text: 'Refused' }, testId: 'send-message' })).toBe(
      '<p role="alert" class="error" data-testid="send-message">Refused</p>',
    )
  })

  it('uses the field class under a field and a span inline', () => {
    expect(render({ message: 'Too long', variant: 'field' })).toBe(
      '<p role="alert" class="field-error">Too long</p>',
    )
    expect(render({ message: 'Failed', as: 'span' })).toBe('<span role="alert" class="error">Failed</span>')
  })

  it('escapes what it shows (a server message is text, never markup)', () => {
    expect(render({ message: '<b>x</b>' })).toBe('<p role="alert" class="error">&lt;b&gt;x&lt;/b&gt;</p>')
  })

  it('never gives a success the alert role', () => {
    expect(formMessageAttributes({ ok: true, text: 'x' }, 'field')).toEqual({
      role: 'status',
      className: 'ok',
    })
  })
})
