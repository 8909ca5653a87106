import type { EntityKind } from '@quartiere/contracts'
import { type FormEvent, useEffect, useState } from 'react'
import { useI18n } from '../i18n/i18n'
import { entityKindList, kindStyle } from '../map/kinds'
import type { ViewState } from '../state/url-state'

type FilterState = Pick<ViewState, 'kinds' | 'categories' | 'tags' | 'q'>

const splitList = (text: string) =>
  [
    ...new Set(
      text
        .split(',')
        .map((value) => value.trim())
        .filter(Boolean),
    ),
  ].slice(0, 20)

/** Kinds, categories, tags and free text. Kinds apply at once; the text fields when the form is sent. */
export function Filters({ value, onChange }: { value: FilterState; onChange(next: FilterState): void }) {
  const { t } = useI18n()
  const [q, setQ] = useState(value.q)
  const [categories, setCategories] = useState(value.categories.join(', '))
  const [tags, setTags] = useState(value.tags.join(', '))
  useEffect(() => setQ(value.q), [value.q])
  useEffect(() => setCategories(value.categories.join(', ')), [value.categories])
  useEffect(() => setTags(value.tags.join(', ')), [value.tags])

  const toggleKind = (kind: EntityKind) => {
    const kinds = value.kinds.includes(kind) ? value.kinds.filter((k) => k !== kind) : [...value.kinds, kind]
    onChange({ ...value, kinds: entityKindList.filter((k) => kinds.includes(k)) })
  }
  const submit = (event: FormEvent) => {
    event.preventDefault()
    onChange({ ...value, q: q.trim(), categories: splitList(categories), tags: splitList(tags) })
  }
  const clear = () => onChange({ kinds: [], categories: [], tags: [], q: '' })
  return (
    <form className="filters" onSubmit={submit} aria-label={t('filters.label')}>
      <div className="search-row">
        <label className="visually-hidden" htmlFor="filter-q">
          {t('filters.text')}
        </label>
        <input
          id="filter-q"
          type="search"
          value={q}
          maxLength={200}
          placeholder={t('filters.textPlaceholder')}
          onChange={(event) => setQ(event.target.value)}
        />
        <button type="submit">{t('filters.search')}</button>
      </div>
      <fieldset className="kinds">
        <legend>{t('filters.kinds')}</legend>
        {entityKindList.map((kind) => (
          <label key={kind} className="kind-chip" style={{ borderColor: kindStyle[kind].color }}>
            <input
              type="checkbox"
              checked={value.kinds.includes(kind)}
              onChange={() => toggleKind(kind)}
              data-testid={`kind-${kind}`}
            />
            <span className="swatch" style={{ background: kindStyle[kind].color }} aria-hidden="true" />
            {t(`kind.${kind}`)}
          </label>
        ))}
      </fieldset>
      <details>
        <summary>{t('filters.more')}</summary>
        <label>
          {t('filters.categories')}
          <input value={categories} onChange={(event) => setCategories(event.target.value)} />
        </label>
        <label>
          {t('filters.tags')}
          <input value={tags} onChange={(event) => setTags(event.target.value)} />
        </label>
        <div className="row">
          <button type="submit">{t('filters.apply')}</button>
          <button type="button" onClick={clear}>
            {t('filters.clear')}
          </button>
        </div>
      </details>
    </form>
  )
}
