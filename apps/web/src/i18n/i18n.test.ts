import { describe, expect, it } from 'vitest'
import { dictionaries } from './dictionaries'
import { createI18n, isMessageKey, messageOr, preferredLocale } from './i18n'

describe('i18n', () => {
  it('prefers Italian for Italian browsers and by default, English for English ones, a stored choice first', () => {
    expect(preferredLocale(['it-IT', 'en'], null)).toBe('it')
    expect(preferredLocale(['en-GB'], null)).toBe('en')
    expect(preferredLocale(['de-DE'], null)).toBe('it')
    expect(preferredLocale(['it-IT'], 'en')).toBe('en')
  })

  it('has every string in both languages, none empty', () => {
    expect(Object.keys(dictionaries.it).sort()).toEqual(Object.keys(dictionaries.en).sort())
    for (const messages of Object.values(dictionaries))
      for (const value of Object.values(messages)) expect(value.length).toBeGreaterThan(0)
  })

  it('formats numbers, decimals and dates in the locale', () => {
    expect(createI18n('it').decimal('-2.50')).toBe('-2,50')
    expect(createI18n('en').decimal('1234.5')).toBe('1,234.5')
    expect(createI18n('it').t('wallet.sent', { amount: '2', name: 'Anna' })).toBe('Inviati 2 a Anna.')
    expect(createI18n('it').date('2019-06-19T12:00:00Z', { month: 'long' })).toBe('giugno')
  })

  it('translates a key built at run time only when the dictionaries have it', () => {
    const i18n = createI18n('en')
    expect(isMessageKey('common.yes')).toBe(true)
    expect(isMessageKey('prop.noSuchProperty')).toBe(false)
    // Inherited names of a plain object are not messages.
    expect(isMessageKey('toString')).toBe(false)
    expect(messageOr(i18n, 'common.yes', 'fallback')).toBe(i18n.t('common.yes'))
    expect(messageOr(i18n, 'prop.noSuchProperty', 'noSuchProperty')).toBe('noSuchProperty')
  })
})
