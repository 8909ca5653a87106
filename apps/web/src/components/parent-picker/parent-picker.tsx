import type { EntityFeature, EntityKind } from '@quartiere/contracts'
import { useQuery } from '@tanstack/react-query'
import { useEffect, useMemo, useRef, useState } from 'react'
import type { ApiClient } from '../../api/client'
import { searchThings, thingsNear } from '../../api/places'
import { useMessages } from '../../i18n/screen-messages'
import { queryKeys } from '../../queries/query-keys'
import { type Bbox, geometryBbox } from '../../state/entity-cache'
import { distanceMetres, matchRank, placeQueryLengthMin, representativePoint } from '../../state/geocode'
import { Combobox, type ComboboxOption } from '../placing/combobox'
import { parentPickerMessages } from './messages'

export interface ParentChoice {
  id: string
  title: string
  kind: EntityKind
}

/** How far around the drawn shape the picker looks for things to offer first: about 400 m in Turin. */
const nearbyMarginDeg = 0.004
/** Wait for the typing to pause before asking the API's search. */
const searchDebounceMs = 250

interface ParentOption extends ComboboxOption {
  choice: ParentChoice
}

function around(box: Bbox): Bbox {
  return [
    Math.max(-180, box[0] - nearbyMarginDeg),
    Math.max(-90, box[1] - nearbyMarginDeg),
    Math.min(180, box[2] + nearbyMarginDeg),
    Math.min(90, box[3] + nearbyMarginDeg),
  ]
}

/**
 * Chooses the thing a thing is inside of (its parent): a combobox that offers the things near the drawn shape
 * first, nearest first, then what the API's text search finds as the person types; kind and title on each
 * option. The API judges the choice (a cycle, a parent that is gone): the editor says its refusal.
 */
export function ParentPicker({
  api,
  geometry,
  excludeId,
  value,
  onChange,
  error,
}: {
  api: ApiClient
  geometry: EntityFeature['geometry']
  /** The thing being edited: never its own parent. */
  excludeId: string | null
  value: ParentChoice | null
  onChange(next: ParentChoice | null): void
  error?: string | null
}) {
  const { m, t } = useMessages(parentPickerMessages)
  const [text, setText] = useState('')
  const [searched, setSearched] = useState('')
  const box = useMemo(() => geometryBbox(geometry), [geometry])
  const centre = useMemo(() => representativePoint(geometry), [geometry])
  const nearBox = box ? around(box) : null
  const near = useQuery({
    queryKey: queryKeys.places.near(nearBox?.map((value) => value.toFixed(5)).join(',') ?? ''),
    queryFn: ({ signal }) => thingsNear(api, nearBox as Bbox, signal),
    enabled: !!nearBox,
  })
  const search = useQuery({
    queryKey: queryKeys.places.search(searched),
    queryFn: ({ signal }) => searchThings(api, searched, signal),
    enabled: searched.length >= placeQueryLengthMin,
  })

  const options = useMemo(() => {
    const metresOf = (feature: EntityFeature) => {
      const point = representativePoint(feature.geometry)
      return point && centre ? Math.round(distanceMetres(point, centre)) : null
    }
    const option = (feature: EntityFeature, metres: number | null): ParentOption => {
      const kind = feature.properties.kind
      return {
        id: feature.id,
        label: `${t(`kind.${kind}`)}: ${feature.properties.title}`,
        ...(metres !== null ? { detail: `${m('nearby')}, ${metres} m` } : {}),
        choice: { id: feature.id, title: feature.properties.title, kind },
      }
    }
    const typed = text.trim()
    const seen = new Set<string>(excludeId ? [excludeId] : [])
    const result: ParentOption[] = []
    const nearby = (near.data?.features ?? [])
      .filter((feature) => !typed || matchRank(feature.properties.title, typed) !== null)
      .map((feature) => ({ feature, metres: metresOf(feature) }))
      .sort((a, b) => (a.metres ?? 0) - (b.metres ?? 0))
      .map(({ feature, metres }) => option(feature, metres))
    for (const entry of nearby) {
      if (seen.has(entry.id)) continue
      seen.add(entry.id)
      result.push(entry)
    }
    if (typed.length >= placeQueryLengthMin && searched === typed)
      for (const feature of search.data?.features ?? []) {
        if (seen.has(feature.id)) continue
        seen.add(feature.id)
        result.push(option(feature, null))
      }
    return result
  }, [near.data, search.data, text, searched, excludeId, centre, m, t])

  const debounce = useRef(0)
  useEffect(() => () => window.clearTimeout(debounce.current), [])
  const onInput = (next: string) => {
    setText(next)
    window.clearTimeout(debounce.current)
    debounce.current = window.setTimeout(() => setSearched(next.trim()), searchDebounceMs)
  }
  const loading = near.isFetching || search.isFetching
  const status = loading
    ? m('searching')
    : options.length
      ? m('results', { count: options.length })
      : m('noResults')

  return (
    <fieldset className="parent-picker" data-testid="parent-picker">
      <legend className="visually-hidden">{m('label')}</legend>
      {value ? (
        <div className="row parent-chosen">
          <p data-testid="parent-chosen">
            {m('chosen', { kind: t(`kind.${value.kind}`), title: value.title })}
          </p>
          <button type="button" onClick={() => onChange(null)} data-testid="parent-clear">
            {m('clear', { title: value.title })}
          </button>
        </div>
      ) : null}
      <Combobox
        label={m('label')}
        inputId="field-parent"
        value={text}
        onInput={onInput}
        options={options}
        onChoose={(chosen) => {
          setText('')
          onChange(chosen.choice)
        }}
        status={status}
        error={error ?? null}
        hint={value ? undefined : m('hint')}
        testId="parent-search"
      />
    </fieldset>
  )
}
