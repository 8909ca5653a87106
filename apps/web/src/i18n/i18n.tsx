import { createContext, type ReactNode, useContext, useMemo } from 'react'
import { dictionaries, type Locale, locales, type MessageKey } from './dictionaries'

export interface I18n {
  locale: Locale
  t(key: MessageKey, values?: Record<string, string | number>): string
  number(value: number, options?: Intl.NumberFormatOptions): string
  /** A decimal string from the API ("12.50"), shown with the locale's separators and its own decimals kept. */
  decimal(value: string): string
  date(value: string | Date, options?: Intl.DateTimeFormatOptions): string
  dateTime(value: string | Date): string
}

/**
 * Whether a key built at run time (a property's name, a status from the API) has a message: such keys cannot be
 * checked by the compiler, so they are checked here and shown as they are when there is none.
 */
export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(dictionaries.it, key)
}

/** The message for a key built at run time, or `fallback` when the dictionaries have none. */
export function messageOr(i18n: I18n, key: string, fallback: string): string {
  return isMessageKey(key) ? i18n.t(key) : fallback
}

/** Italian for browsers that prefer it (and as the project's home language), English otherwise. */
export function preferredLocale(languages: readonly string[] | undefined, stored: string | null): Locale {
  if (stored && (locales as readonly string[]).includes(stored)) return stored as Locale
  for (const language of languages ?? []) {
    const base = language.toLowerCase().split('-')[0]
    if (base === 'it') return 'it'
    if (base === 'en') return 'en'
  }
  return 'it'
}

/**
 * Builds each Intl format once per set of options: building one costs far more than using it (the wall dates
 * hundreds of rows per render).
 */
function cachedByOptions<Options, Format>(
  make: (options?: Options) => Format,
): (options?: Options) => Format {
  const formats = new Map<string, Format>()
  return (options) => {
    const key = JSON.stringify(options ?? {})
    let format = formats.get(key)
    if (!format) {
      format = make(options)
      formats.set(key, format)
    }
    return format
  }
}

/** A message with its `{name}` placeholders filled; a placeholder without a value stays as it is. */
export function fillTemplate(template: string, values?: Record<string, string | number>): string {
  if (!values) return template
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in values ? String(values[name]) : whole,
  )
}

export function createI18n(locale: Locale): I18n {
  const messages = dictionaries[locale]
  const numberFormat = cachedByOptions(
    (options: Intl.NumberFormatOptions = {}) => new Intl.NumberFormat(locale, options),
  )
  const dateFormat = cachedByOptions(
    (options?: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat(locale, options),
  )
  const dateTimeFormat = dateFormat({ dateStyle: 'medium', timeStyle: 'short' })
  return {
    locale,
    t: (key, values) => fillTemplate(messages[key], values),
    number: (value, options) => numberFormat(options).format(value),
    decimal(value) {
      const decimals = value.split('.')[1]?.length ?? 0
      // The amounts are small (hours, euros): a double shows them exactly at their own number of decimals.
      return numberFormat({ minimumFractionDigits: decimals, maximumFractionDigits: decimals }).format(
        Number(value),
      )
    },
    date: (value, options = { dateStyle: 'medium' }) =>
      dateFormat(options).format(typeof value === 'string' ? new Date(value) : value),
    dateTime: (value) => dateTimeFormat.format(typeof value === 'string' ? new Date(value) : value),
  }
}

const I18nContext = createContext<I18n>(createI18n('it'))

export function I18nProvider({ locale, children }: { locale: Locale; children: ReactNode }) {
  const i18n = useMemo(() => createI18n(locale), [locale])
  return <I18nContext.Provider value={i18n}>{children}</I18nContext.Provider>
}

export function useI18n(): I18n {
  return useContext(I18nContext)
}
