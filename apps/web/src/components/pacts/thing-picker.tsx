import type { EntityFeature } from '@quartiere/contracts'
import { useQueries, useQuery } from '@tanstack/react-query'
import { useEffect, useId, useState } from 'react'
import type { ApiClient, Versioned } from '../../api/client'
import { searchThings } from '../../api/pacts'
import { useMessages } from '../../i18n/screen-messages'
import { queryKeys } from '../../queries/query-keys'
import { FormMessage } from '../form-message'
import { messageOf } from '../messages'
import { TextField } from '../text-field'
import { pactMessages } from './messages'

/** How long typing pauses before the map is searched. */
const searchDebounceMs = 250

/** The titles of things by id, read as the detail panel reads them (and from the same cache). */
export function useThingTitles(api: ApiClient, ids: readonly string[]): Record<string, string> {
  const results = useQueries({
    queries: ids.map((id) => ({
      queryKey: queryKeys.entity.detail(id),
      queryFn: ({ signal }: { signal: AbortSignal }) => api.getEntity(id, signal),
      staleTime: 60_000,
    })),
  })
  const titles: Record<string, string> = {}
  results.forEach((result, index) => {
    const data = result.data as Versioned<EntityFeature> | undefined
    const id = ids[index]
    if (id && data) titles[id] = data.value.properties.title
  })
  return titles
}

export interface ThingPickerProps {
  api: ApiClient
  kind: 'space' | 'group'
  label: string
  /** Several things, or just one (choosing one replaces it). */
  multiple: boolean
  chosen: readonly string[]
  onChange(ids: string[]): void
  testId: string
}

/** Choose things of one kind on the map by searching their names; the chosen ones listed with a remove button. */
export function ThingPicker({ api, kind, label, multiple, chosen, onChange, testId }: ThingPickerProps) {
  const messages = useMessages(pactMessages)
  const { m } = messages
  const inputId = useId()
  const listId = useId()
  const [text, setText] = useState('')
  const [searched, setSearched] = useState('')
  const [known, setKnown] = useState<Record<string, string>>({})
  const titles = {
    ...useThingTitles(
      api,
      chosen.filter((id) => !known[id]),
    ),
    ...known,
  }
  useEffect(() => {
    const timer = setTimeout(() => setSearched(text.trim()), searchDebounceMs)
    return () => clearTimeout(timer)
  }, [text])
  const search = useQuery({
    queryKey: ['pacts', 'search', kind, searched],
    enabled: searched.length > 0,
    queryFn: ({ signal }) => searchThings(api, kind, searched, signal),
  })
  const matches = (search.data?.features ?? []).filter((feature) => !chosen.includes(feature.id))
  return (
    <fieldset className="thing-picker" data-testid={testId}>
      <legend>{label}</legend>
      {chosen.length === 0 ? (
        <p className="hint">{m('noneChosen')}</p>
      ) : (
        <ul className="chosen-things">
          {chosen.map((id) => (
            <li key={id}>
              <span>{titles[id] ?? '…'}</span>{' '}
              <button
                type="button"
                className="link"
                onClick={() => onChange(chosen.filter((other) => other !== id))}
              >
                {m('remove', { name: titles[id] ?? '' })}
              </button>
            </li>
          ))}
        </ul>
      )}
      <TextField
        id={inputId}
        label={kind === 'space' ? m('searchSpaces') : m('searchGroups')}
        type="search"
        autoComplete="off"
        placeholder={m('searchPlaceholder')}
        aria-controls={matches.length > 0 ? listId : undefined}
        value={text}
        onChange={setText}
        testId={`${testId}-search`}
      />
      <FormMessage message={search.error ? messageOf(messages, search.error) : null} variant="field" />
      {searched && search.isSuccess && matches.length === 0 && <p className="hint">{m('searchNone')}</p>}
      {matches.length > 0 && (
        <ul id={listId} className="matches">
          {matches.map((feature) => (
            <li key={feature.id}>
              <button
                type="button"
                onClick={() => {
                  setKnown((current) => ({ ...current, [feature.id]: feature.properties.title }))
                  onChange(multiple ? [...chosen, feature.id] : [feature.id])
                  setText('')
                  setSearched('')
                }}
              >
                {m(multiple ? 'add' : 'choose', { name: feature.properties.title })}
              </button>
            </li>
          ))}
        </ul>
      )}
    </fieldset>
  )
}
