import { useMemo } from 'react'
import type { Locale } from './dictionaries'
import { fillTemplate, type I18n, useI18n } from './i18n'

/**
 * A screen's own strings, in both languages. They live next to the screen and load with it, so a page that is
 * not on the first visit adds nothing to the first visit's code. English is the reference: the Italian strings
 * are typed by its keys, so a string added in one language and forgotten in the other fails the type check.
 * The shared strings (buttons, problems the API answers with) stay in `dictionaries.ts`.
 */
export interface ScreenMessages<Key extends string> {
  readonly en: Readonly<Record<Key, string>>
  readonly it: Readonly<Record<Key, string>>
}

export function defineMessages<const English extends Record<string, string>>(
  en: English,
  it: Record<keyof English, string>,
): ScreenMessages<keyof English & string> {
  return { en, it }
}

/** The app's i18n plus `m`, the screen's own strings in the reader's language. */
export interface ScreenI18n<Key extends string> extends I18n {
  m(key: Key, values?: Record<string, string | number>): string
}

export function screenI18n<Key extends string>(i18n: I18n, messages: ScreenMessages<Key>): ScreenI18n<Key> {
  const strings = messages[i18n.locale satisfies Locale]
  return { ...i18n, m: (key, values) => fillTemplate(strings[key], values) }
}

/** A screen's strings for the current language: `const { m, t } = useMessages(accountMessages)`. */
export function useMessages<Key extends string>(messages: ScreenMessages<Key>): ScreenI18n<Key> {
  const i18n = useI18n()
  return useMemo(() => screenI18n(i18n, messages), [i18n, messages])
}
