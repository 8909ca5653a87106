import type { PactStatus } from '@quartiere/contracts'
import { pactStatuses } from '@quartiere/contracts/enums'
import { useInfiniteQuery } from '@tanstack/react-query'
import { useEffect, useState } from 'react'
import { listPacts } from '../../api/pacts'
import type { MessageKey } from '../../i18n/dictionaries'
import { useMessages } from '../../i18n/screen-messages'
import type { PageProps } from '../../pages'
import { queryKeys } from '../../queries/query-keys'
import { pageItemOf, withPageItem } from '../../state/url-state'
import { FormMessage } from '../form-message'
import { messageOf } from '../messages'
import { pactMessages } from './messages'
import { PactScreen } from './pact-screen'
import { ProposeForm } from './propose-form'

/** The pact the URL names (`/pacts?id=…`), followed through the browser's back and forward. */
function usePactInUrl(): [string | null, (id: string | null) => void] {
  const [id, setId] = useState(() => pageItemOf(window.location.search))
  useEffect(() => {
    const onPop = () => setId(pageItemOf(window.location.search))
    window.addEventListener('popstate', onPop)
    return () => window.removeEventListener('popstate', onPop)
  }, [])
  const open = (next: string | null) => {
    window.history.pushState(
      null,
      '',
      withPageItem(`${window.location.pathname}${window.location.search}`, next),
    )
    setId(next)
    window.scrollTo?.(0, 0)
  }
  return [id, open]
}

/** The pacts of collaboration: what they are, the list by stage, one pact's page, and proposing one. */
export function PactsPage({ api, user, showOnMap }: PageProps) {
  const [id, open] = usePactInUrl()
  if (id) return <PactScreen api={api} user={user} id={id} onBack={() => open(null)} showOnMap={showOnMap} />
  return <PactList api={api} user={user} onOpen={open} />
}

function PactList({ api, user, onOpen }: Pick<PageProps, 'api' | 'user'> & { onOpen(id: string): void }) {
  const messages = useMessages(pactMessages)
  const { m, t } = messages
  const [status, setStatus] = useState<PactStatus | null>(null)
  const [proposing, setProposing] = useState(false)
  const list = useInfiniteQuery({
    queryKey: queryKeys.pacts.list(status),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      listPacts(api, { ...(status ? { status } : {}), ...(pageParam ? { cursor: pageParam } : {}) }),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  })
  const pacts = list.data?.pages.flatMap((page) => page.items) ?? []
  return (
    <main className="pacts" aria-labelledby="pacts-title">
      <h1 id="pacts-title">{m('title')}</h1>
      <p className="pact-explanation" data-testid="pacts-explanation">
        {m('explanation')}
      </p>
      {user ? (
        proposing ? (
          <ProposeForm
            api={api}
            userId={user.id}
            onCancel={() => setProposing(false)}
            onProposed={(pact) => onOpen(pact.id)}
          />
        ) : (
          <button type="button" onClick={() => setProposing(true)} data-testid="pact-propose">
            {m('propose')}
          </button>
        )
      ) : (
        <p className="hint">{m('proposeSignIn')}</p>
      )}
      <div className="field pact-filter">
        <label htmlFor="pacts-status">{m('filterLabel')}</label>
        <select
          id="pacts-status"
          value={status ?? ''}
          onChange={(event) => setStatus((event.target.value || null) as PactStatus | null)}
          data-testid="pacts-status"
        >
          <option value="">{m('filterAll')}</option>
          {pactStatuses.map((value) => (
            <option key={value} value={value}>
              {t(`value.${value}` as MessageKey)}
            </option>
          ))}
        </select>
      </div>
      <FormMessage message={list.error ? messageOf(messages, list.error) : null} testId="pacts-error" />
      {list.isSuccess && pacts.length === 0 ? (
        <p className="empty">{m('empty')}</p>
      ) : (
        <ul className="pact-list" data-testid="pact-list">
          {pacts.map((pact) => (
            <li key={pact.id} data-testid="pact-item">
              <a
                href={withPageItem(`${window.location.pathname}${window.location.search}`, pact.id)}
                onClick={(event) => {
                  event.preventDefault()
                  onOpen(pact.id)
                }}
              >
                {pact.title}
              </a>{' '}
              <span className="pact-badge">{t(`value.${pact.status}` as MessageKey)}</span>
              <span className="hint"> — {m('by', { name: pact.proposer.displayName })}</span>
            </li>
          ))}
        </ul>
      )}
      {list.hasNextPage && (
        <button type="button" disabled={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
          {m('more')}
        </button>
      )}
    </main>
  )
}
