import type { MemberSummary } from '@quartiere/contracts'
import { useQuery } from '@tanstack/react-query'
import { useEffect, useState } from 'react'
import type { ApiClient } from '../../api/client'
import { queryKeys } from '../../queries/query-keys'

/** How long typing pauses before the member directory is asked. */
const memberSearchDebounceMs = 250

/**
 * A member chosen from the directory by name, as the admins' roles form does: typing asks the directory, a
 * match is a button; choosing it fills the field.
 */
export function MemberPicker({
  api,
  id,
  label,
  member,
  onChange,
  testId,
}: {
  api: ApiClient
  id: string
  label: string
  member: MemberSummary | null
  onChange(member: MemberSummary | null): void
  testId?: string
}) {
  const [query, setQuery] = useState(member?.displayName ?? '')
  const [searched, setSearched] = useState('')
  const text = query.trim()
  useEffect(() => {
    const timer = setTimeout(() => setSearched(text), memberSearchDebounceMs)
    return () => clearTimeout(timer)
  }, [text])
  // A parent clearing the choice (after a success) clears the field too.
  useEffect(() => {
    if (member === null) return
    setQuery(member.displayName)
  }, [member])
  const chosen = member?.displayName
  const search = useQuery({
    queryKey: queryKeys.members.search(searched),
    enabled: searched !== '' && searched !== chosen,
    queryFn: () => api.searchMembers(searched),
  })
  const matches = !text || chosen === text || search.isError ? [] : (search.data?.items ?? [])
  const listId = `${id}-matches`
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        role="combobox"
        aria-expanded={matches.length > 0}
        aria-controls={listId}
        aria-autocomplete="list"
        autoComplete="off"
        value={query}
        onChange={(event) => {
          setQuery(event.target.value)
          onChange(null)
        }}
        data-testid={testId}
      />
      {matches.length > 0 && (
        <ul id={listId} className="matches">
          {matches.map((match) => (
            <li key={match.id}>
              <button
                type="button"
                onClick={() => {
                  onChange(match)
                  setQuery(match.displayName)
                }}
              >
                {match.displayName}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}
