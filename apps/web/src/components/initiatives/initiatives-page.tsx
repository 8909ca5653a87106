import type { EntityFeature, Initiative } from '@quartiere/contracts'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useEffect, useState } from 'react'
import type { ApiClient } from '../../api/client'
import {
  getInitiative,
  initiativeThings,
  listInitiatives,
  searchAnyThing,
  setInitiativeThing,
} from '../../api/initiatives'
import type { MessageKey } from '../../i18n/dictionaries'
import { type ScreenI18n, useMessages } from '../../i18n/screen-messages'
import type { PageProps } from '../../pages'
import { queryKeys } from '../../queries/query-keys'
import { pageItemOf, withPageItem } from '../../state/url-state'
import { FormMessage, type FormNote } from '../form-message'
import { messageOf } from '../messages'
import { TextField } from '../text-field'
import { initiativeMessages } from './messages'

type InitiativeKey = keyof typeof initiativeMessages.en
/** How long typing pauses before the map is searched. */
const searchDebounceMs = 250

/** The initiative the URL names (`/initiatives?id=<slug>`), followed through back and forward. */
function useItemInUrl(): [string | null, (item: string | null) => void] {
  const [item, setItem] = useState(() => pageItemOf(window.location.search))
  useEffect(() => {
    const onPop = () => setItem(pageItemOf(window.location.search))
    window.addEventListener('popstate', onPop)
    return () => window.removeEventListener('popstate', onPop)
  }, [])
  const open = (next: string | null) => {
    window.history.pushState(
      null,
      '',
      withPageItem(`${window.location.pathname}${window.location.search}`, next),
    )
    setItem(next)
  }
  return [item, open]
}

/** To the map with only this initiative's things: the view's `init`, so the link reproduces it. */
function showInitiativeOnMap(slug: string) {
  const params = new URLSearchParams(window.location.search)
  params.delete('id')
  params.set('init', slug)
  window.history.pushState(null, '', `/?${params.toString().replaceAll('%2C', ',')}`)
  window.dispatchEvent(new PopStateEvent('popstate'))
}

/** The initiatives: the list, one initiative with its things, showing it on the map, and curating it. */
export function InitiativesPage({ api, user, showOnMap }: PageProps) {
  const [slug, open] = useItemInUrl()
  if (slug)
    return (
      <InitiativeScreen
        key={`${slug}:${user?.id ?? ''}`}
        api={api}
        slug={slug}
        userId={user?.id ?? null}
        onBack={() => open(null)}
        showOnMap={showOnMap}
      />
    )
  return <InitiativeList api={api} userId={user?.id ?? null} onOpen={open} />
}

function InitiativeList({
  api,
  userId,
  onOpen,
}: {
  api: ApiClient
  userId: string | null
  onOpen(slug: string): void
}) {
  const messages = useMessages(initiativeMessages)
  const { m } = messages
  const list = useQuery({ queryKey: queryKeys.initiatives.list(userId), queryFn: () => listInitiatives(api) })
  const items = list.data?.items ?? []
  return (
    <main className="pacts initiatives" aria-labelledby="initiatives-title">
      <h1 id="initiatives-title">{m('title')}</h1>
      <p className="pact-explanation">{m('explanation')}</p>
      <FormMessage message={list.error ? messageOf(messages, list.error) : null} testId="initiatives-error" />
      {list.isSuccess && items.length === 0 ? (
        <p className="empty">{m('empty')}</p>
      ) : (
        <ul className="pact-list" data-testid="initiative-list">
          {items.map((initiative) => (
            <li key={initiative.id} data-testid="initiative-item">
              <a
                href={withPageItem(`${window.location.pathname}${window.location.search}`, initiative.slug)}
                onClick={(event) => {
                  event.preventDefault()
                  onOpen(initiative.slug)
                }}
              >
                {initiative.name}
              </a>{' '}
              <span className="pact-badge">{m('things', { count: initiative.entitiesCount })}</span>
              {initiative.description && <p className="hint">{initiative.description}</p>}
            </li>
          ))}
        </ul>
      )}
    </main>
  )
}

function InitiativeScreen({
  api,
  slug,
  userId,
  onBack,
  showOnMap,
}: {
  api: ApiClient
  slug: string
  userId: string | null
  onBack(): void
  showOnMap(id: string): void
}) {
  const messages = useMessages(initiativeMessages)
  const { m, t } = messages
  const queryClient = useQueryClient()
  const [note, setNote] = useState<((i18n: ScreenI18n<InitiativeKey>) => FormNote) | null>(null)
  const initiative = useQuery({
    queryKey: queryKeys.initiatives.one(slug, userId),
    queryFn: ({ signal }) => getInitiative(api, slug, signal),
  })
  const things = useQuery({
    queryKey: queryKeys.initiatives.things(slug),
    queryFn: ({ signal }) => initiativeThings(api, slug, signal),
  })
  const change = useMutation({
    mutationFn: (input: { thing: EntityFeature; member: boolean }) =>
      setInitiativeThing(api, slug, input.thing.id, input.member),
    onSuccess: (updated: Initiative) => {
      queryClient.setQueryData(queryKeys.initiatives.one(slug, userId), updated)
      void queryClient.invalidateQueries({ queryKey: queryKeys.initiatives.all })
    },
  })
  const apply = async (thing: EntityFeature, member: boolean) => {
    setNote(null)
    try {
      await change.mutateAsync({ thing, member })
      const name = thing.properties.title
      setNote(() => (i18n: ScreenI18n<InitiativeKey>) => ({
        ok: true,
        text: i18n.m(member ? 'added' : 'removed', { name }),
      }))
    } catch (failure) {
      setNote(() => (i18n: ScreenI18n<InitiativeKey>) => ({ ok: false, text: messageOf(i18n, failure) }))
    }
  }
  const data = initiative.data
  const features = things.data?.features ?? []
  return (
    <main className="pacts initiatives" aria-labelledby="initiative-title">
      <p>
        <button type="button" className="link" onClick={onBack} data-testid="initiatives-back">
          {m('backToList')}
        </button>
      </p>
      {!data ? (
        <>
          <h1 id="initiative-title">{m('title')}</h1>
          {initiative.error ? (
            <FormMessage message={messageOf(messages, initiative.error)} testId="initiative-error" />
          ) : (
            <p className="hint">{m('loading')}</p>
          )}
        </>
      ) : (
        <>
          <h1 id="initiative-title">{data.name}</h1>
          {data.description && <p className="pact-explanation">{data.description}</p>}
          <p>
            <span className="pact-badge" data-testid="initiative-count">
              {m('things', { count: data.entitiesCount })}
            </span>
          </p>
          <button
            type="button"
            onClick={() => showInitiativeOnMap(data.slug)}
            data-testid="initiative-show-on-map"
          >
            {m('showOnMap')}
          </button>
          <section className="pact-section" aria-labelledby="initiative-things-title">
            <h2 id="initiative-things-title">{m('thingsTitle')}</h2>
            {things.isSuccess && features.length === 0 ? (
              <p className="empty">{m('noThings')}</p>
            ) : (
              <ul className="pact-list" data-testid="initiative-things">
                {features.map((feature) => (
                  <li key={feature.id} data-testid="initiative-thing">
                    <button type="button" className="link" onClick={() => showOnMap(feature.id)}>
                      {feature.properties.title}
                    </button>{' '}
                    <span className="pact-badge">{t(`kind.${feature.properties.kind}` as MessageKey)}</span>{' '}
                    {data.canCurate && (
                      <button
                        type="button"
                        className="link danger"
                        disabled={change.isPending}
                        onClick={() => void apply(feature, false)}
                      >
                        {m('remove', { name: feature.properties.title })}
                      </button>
                    )}
                  </li>
                ))}
              </ul>
            )}
          </section>
          <FormMessage message={note?.(messages)} testId="initiative-message" />
          {data.canCurate && (
            <AddThings
              api={api}
              exclude={features.map((feature) => feature.id)}
              disabled={change.isPending}
              onAdd={(thing) => void apply(thing, true)}
            />
          )}
        </>
      )}
    </main>
  )
}

function AddThings({
  api,
  exclude,
  disabled,
  onAdd,
}: {
  api: ApiClient
  exclude: readonly string[]
  disabled: boolean
  onAdd(thing: EntityFeature): void
}) {
  const messages = useMessages(initiativeMessages)
  const { m } = messages
  const [text, setText] = useState('')
  const [searched, setSearched] = useState('')
  useEffect(() => {
    const timer = setTimeout(() => setSearched(text.trim()), searchDebounceMs)
    return () => clearTimeout(timer)
  }, [text])
  const search = useQuery({
    queryKey: ['initiatives', 'search', searched],
    enabled: searched.length > 0,
    queryFn: ({ signal }) => searchAnyThing(api, searched, signal),
  })
  const matches = (search.data?.features ?? []).filter((feature) => !exclude.includes(feature.id))
  return (
    <section className="pact-form" aria-labelledby="initiative-curate-title" data-testid="initiative-curate">
      <h2 id="initiative-curate-title">{m('curate')}</h2>
      <p className="hint">{m('curateHint')}</p>
      <TextField
        id="initiative-search"
        label={m('search')}
        type="search"
        autoComplete="off"
        value={text}
        onChange={setText}
        testId="initiative-search"
      />
      {searched && search.isSuccess && matches.length === 0 && <p className="hint">{m('searchNone')}</p>}
      {matches.length > 0 && (
        <ul className="matches">
          {matches.map((feature) => (
            <li key={feature.id}>
              <button
                type="button"
                disabled={disabled}
                onClick={() => {
                  onAdd(feature)
                  setText('')
                  setSearched('')
                }}
              >
                {m('add', { name: feature.properties.title })}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}
