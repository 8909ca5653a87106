import { describe, expect, it } from 'vitest'
import { createI18n } from './i18n'
import { defineMessages, screenI18n } from './screen-messages'

const messages = defineMessages(
  { 'greeting.hello': 'Hello {name}', 'greeting.bye': 'Bye' },
  { 'greeting.hello': 'Ciao {name}', 'greeting.bye': 'Ciao ciao' },
)

describe('screen messages', () => {
  it('speaks the reader’s language and fills placeholders', () => {
    expect(screenI18n(createI18n('it'), messages).m('greeting.hello', { name: 'Anna' })).toBe('Ciao Anna')
    expect(screenI18n(createI18n('en'), messages).m('greeting.hello', { name: 'Anna' })).toBe('Hello Anna')
  })

  it('keeps the shared strings and formats alongside', () => {
    const i18n = screenI18n(createI18n('en'), messages)
    expect(i18n.t('common.save')).toBe('Save')
    expect(i18n.m('greeting.bye')).toBe('Bye')
  })

  it('refuses, at compile time, an Italian dictionary missing a key', () => {
    // @ts-expect-error: 'greeting.bye' is missing in Italian
    defineMessages({ 'greeting.hello': 'Hello', 'greeting.bye': 'Bye' }, { 'greeting.hello': 'Ciao' })
  })
})
