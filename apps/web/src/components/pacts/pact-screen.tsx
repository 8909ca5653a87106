import type { Pact, PactStatus, User } from '@quartiere/contracts'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { type FormEvent, useState } from 'react'
import type { ApiClient } from '../../api/client'
import { addPactDocument, getPact, reportPactActivity, transitionPact, updatePact } from '../../api/pacts'
import type { MessageKey } from '../../i18n/dictionaries'
import type { I18n } from '../../i18n/i18n'
import { type ScreenI18n, useMessages } from '../../i18n/screen-messages'
import { queryKeys } from '../../queries/query-keys'
import { FormMessage, type FormNote } from '../form-message'
import { messageOf } from '../messages'
import { TextField } from '../text-field'
import { type PactMessageKey, pactMessages } from './messages'
import { PactStages } from './pact-stages'
import { type PactTerms, PactTermsFields } from './pact-terms-fields'
import { useThingTitles } from './thing-picker'

type Note = ((i18n: ScreenI18n<PactMessageKey>) => FormNote) | null

/** After a write the API answers with the pact as this reader now sees it: the screen, the panel and the list follow. */
function usePactWrite<Input>(pact: Pact, userId: string | null, write: (input: Input) => Promise<Pact>) {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: write,
    onSuccess: (next) => {
      queryClient.setQueryData(queryKeys.pacts.one(pact.id, userId), next)
      void queryClient.invalidateQueries({ queryKey: queryKeys.entity.pact(pact.id), exact: true })
      void queryClient.invalidateQueries({ queryKey: queryKeys.pacts.all })
    },
  })
}

export interface PactScreenProps {
  api: ApiClient
  user: User | null
  id: string
  onBack(): void
  showOnMap(id: string): void
}

/** One pact: what it is, where it stands, what it links, and what this reader may do to it now, as the API says. */
export function PactScreen({ api, user, id, onBack, showOnMap }: PactScreenProps) {
  const messages = useMessages(pactMessages)
  const { m } = messages
  const userId = user?.id ?? null
  const query = useQuery({
    queryKey: queryKeys.pacts.one(id, userId),
    queryFn: ({ signal }) => getPact(api, id, signal),
  })
  const pact = query.data
  return (
    <main className="pacts" aria-labelledby="pact-page-title">
      <p>
        <button type="button" className="link" onClick={onBack} data-testid="pacts-back">
          {m('backToList')}
        </button>
      </p>
      {!pact ? (
        <>
          <h1 id="pact-page-title">{m('title')}</h1>
          {query.error ? (
            <FormMessage message={messageOf(messages, query.error)} testId="pact-error" />
          ) : (
            <p className="hint">{m('loading')}</p>
          )}
        </>
      ) : (
        <PactBody api={api} pact={pact} userId={userId} showOnMap={showOnMap} />
      )}
    </main>
  )
}

function PactBody({
  api,
  pact,
  userId,
  showOnMap,
}: {
  api: ApiClient
  pact: Pact
  userId: string | null
  showOnMap(id: string): void
}) {
  const messages = useMessages(pactMessages)
  const { m } = messages
  const titles = useThingTitles(api, [...pact.spaces, ...pact.signatoryGroups])
  return (
    <article className="pact-page" data-testid="pact-page">
      <h1 id="pact-page-title">{pact.title}</h1>
      <p className="pact-explanation" data-testid="pact-explanation">
        {m('explanation')}
      </p>
      <PactStages pact={pact} />
      <dl className="pact-facts">
        <dt>{m('proposer')}</dt>
        <dd>{pact.proposer.displayName}</dd>
        <dt>{m('spaces')}</dt>
        <dd data-testid="pact-spaces">
          <ThingLinks ids={pact.spaces} titles={titles} showOnMap={showOnMap} none={m('none')} />
        </dd>
        <dt>{m('groups')}</dt>
        <dd data-testid="pact-groups">
          <ThingLinks ids={pact.signatoryGroups} titles={titles} showOnMap={showOnMap} none={m('none')} />
        </dd>
        <dt>{m('duration')}</dt>
        <dd data-testid="pact-duration">
          {pact.durationMonths ? m('months', { count: pact.durationMonths }) : m('notSet')}
        </dd>
        {pact.signedAt && (
          <>
            <dt>{m('signedAt', { date: '' }).trim()}</dt>
            <dd>{messages.date(pact.signedAt)}</dd>
          </>
        )}
      </dl>
      {pact.can.editLinks && <EditLinks key={pact.id} api={api} pact={pact} userId={userId} />}
      {pact.nextSteps.length > 0 && <Steps api={api} pact={pact} userId={userId} />}
      <Documents api={api} pact={pact} userId={userId} />
      <Reports api={api} pact={pact} userId={userId} titles={titles} />
      <Timeline pact={pact} titles={titles} />
    </article>
  )
}

function ThingLinks({
  ids,
  titles,
  showOnMap,
  none,
}: {
  ids: readonly string[]
  titles: Record<string, string>
  showOnMap(id: string): void
  none: string
}) {
  if (ids.length === 0) return <>{none}</>
  return (
    <ul className="pact-things">
      {ids.map((id) => (
        <li key={id}>
          <button type="button" className="link" onClick={() => showOnMap(id)}>
            {titles[id] ?? '…'}
          </button>
        </li>
      ))}
    </ul>
  )
}

/** A pact's terms as its edit form holds them. */
function termsOf(pact: Pact): PactTerms {
  return {
    spaces: pact.spaces,
    groups: pact.signatoryGroups,
    duration: pact.durationMonths ? String(pact.durationMonths) : '',
  }
}

function EditLinks({ api, pact, userId }: { api: ApiClient; pact: Pact; userId: string | null }) {
  const messages = useMessages(pactMessages)
  const { m } = messages
  const [open, setOpen] = useState(false)
  const [terms, setTerms] = useState<PactTerms>(() => termsOf(pact))
  const [note, setNote] = useState<Note>(null)
  const save = usePactWrite(pact, userId, () =>
    updatePact(api, pact.id, pact.version, {
      spaces: terms.spaces,
      signatoryGroups: terms.groups,
      durationMonths: terms.duration ? Number(terms.duration) : null,
    }),
  )
  const submit = async (event: FormEvent) => {
    event.preventDefault()
    setNote(null)
    try {
      await save.mutateAsync(undefined)
      setNote(() => (i18n: ScreenI18n<PactMessageKey>) => ({ ok: true, text: i18n.m('saved') }))
      setOpen(false)
    } catch (failure) {
      setNote(() => (i18n: ScreenI18n<PactMessageKey>) => ({ ok: false, text: messageOf(i18n, failure) }))
    }
  }
  return (
    <section className="pact-section" aria-labelledby="pact-edit-title">
      <h2 id="pact-edit-title" className="visually-hidden">
        {m('edit')}
      </h2>
      {!open ? (
        <button
          type="button"
          aria-expanded={false}
          onClick={() => {
            setTerms(termsOf(pact))
            setOpen(true)
          }}
          data-testid="pact-edit"
        >
          {m('edit')}
        </button>
      ) : (
        <form className="pact-form" onSubmit={submit} data-testid="pact-edit-form">
          <PactTermsFields api={api} terms={terms} onChange={setTerms} idPrefix="pact-edit" />
          <div className="row">
            <button type="submit" disabled={save.isPending} data-testid="pact-edit-save">
              {m('save')}
            </button>
            <button type="button" onClick={() => setOpen(false)}>
              {m('cancel')}
            </button>
          </div>
        </form>
      )}
      <FormMessage message={note?.(messages)} testId="pact-edit-message" />
    </section>
  )
}

function Steps({ api, pact, userId }: { api: ApiClient; pact: Pact; userId: string | null }) {
  const messages = useMessages(pactMessages)
  const { m } = messages
  const [text, setText] = useState('')
  const [note, setNote] = useState<Note>(null)
  const step = usePactWrite(pact, userId, (to: PactStatus) =>
    transitionPact(api, pact.id, to, text.trim() || undefined),
  )
  const take = async (to: PactStatus) => {
    setNote(null)
    try {
      const next = await step.mutateAsync(to)
      setText('')
      setNote(() => (i18n: ScreenI18n<PactMessageKey>) => ({
        ok: true,
        text: i18n.m('moved', { stage: i18n.t(`value.${next.status}` as MessageKey) }),
      }))
    } catch (failure) {
      setNote(() => (i18n: ScreenI18n<PactMessageKey>) => ({ ok: false, text: messageOf(i18n, failure) }))
    }
  }
  return (
    <section
      className="pact-section pact-actions"
      aria-labelledby="pact-actions-title"
      data-testid="pact-actions"
    >
      <h2 id="pact-actions-title">{m('actions')}</h2>
      <div className="field">
        <label htmlFor="pact-step-note">{m('actionNote')}</label>
        <textarea
          id="pact-step-note"
          rows={2}
          value={text}
          onChange={(event) => setText(event.target.value)}
          data-testid="pact-step-note"
        />
      </div>
      <div className="row">
        {pact.nextSteps.map((to) => (
          <button
            key={to}
            type="button"
            className={to === 'rejected' ? 'danger' : undefined}
            disabled={step.isPending}
            onClick={() => void take(to)}
            data-testid={`pact-step-${to}`}
          >
            {m(`action.${to}`)}
          </button>
        ))}
      </div>
      <FormMessage message={note?.(messages)} testId="pact-step-message" />
    </section>
  )
}

function Documents({ api, pact, userId }: { api: ApiClient; pact: Pact; userId: string | null }) {
  const messages = useMessages(pactMessages)
  const { m } = messages
  const [title, setTitle] = useState('')
  const [url, setUrl] = useState('')
  const [note, setNote] = useState<Note>(null)
  const attach = usePactWrite(pact, userId, () =>
    addPactDocument(api, pact.id, { title: title.trim(), url: url.trim() }),
  )
  const submit = async (event: FormEvent) => {
    event.preventDefault()
    setNote(null)
    try {
      await attach.mutateAsync(undefined)
      setTitle('')
      setUrl('')
      setNote(() => (i18n: ScreenI18n<PactMessageKey>) => ({ ok: true, text: i18n.m('attached') }))
    } catch (failure) {
      setNote(() => (i18n: ScreenI18n<PactMessageKey>) => ({ ok: false, text: messageOf(i18n, failure) }))
    }
  }
  return (
    <section className="pact-section" aria-labelledby="pact-documents-title">
      <h2 id="pact-documents-title">{m('documents')}</h2>
      {pact.documents.length === 0 ? (
        <p className="empty">{m('noDocuments')}</p>
      ) : (
        <ul className="pact-documents" data-testid="pact-documents">
          {pact.documents.map((document) => (
            <li key={document.id} data-testid="pact-document">
              {document.url ? (
                <a href={document.url} rel="noopener noreferrer" target="_blank">
                  {document.title}
                </a>
              ) : (
                document.title
              )}{' '}
              <time dateTime={document.createdAt}>{messages.date(document.createdAt)}</time>
            </li>
          ))}
        </ul>
      )}
      {pact.can.addDocuments && (
        <form className="pact-form" onSubmit={submit} data-testid="pact-document-form">
          <TextField
            id="pact-document-title"
            label={m('documentTitle')}
            required
            maxLength={200}
            value={title}
            onChange={setTitle}
            testId="pact-document-title"
          />
          <div className="field">
            <label htmlFor="pact-document-url">{m('documentUrl')}</label>
            <input
              id="pact-document-url"
              type="url"
              required
              pattern="https?://.*"
              maxLength={2000}
              value={url}
              onChange={(event) => setUrl(event.target.value)}
              data-testid="pact-document-url"
            />
          </div>
          <button type="submit" disabled={attach.isPending} data-testid="pact-document-attach">
            {m('attach')}
          </button>
        </form>
      )}
      <FormMessage message={note?.(messages)} testId="pact-document-message" />
    </section>
  )
}

function Reports({
  api,
  pact,
  userId,
  titles,
}: {
  api: ApiClient
  pact: Pact
  userId: string | null
  titles: Record<string, string>
}) {
  const messages = useMessages(pactMessages)
  const { m } = messages
  const reports = pact.history.filter((item) => item.type === 'report')
  const [group, setGroup] = useState<string>('')
  const [text, setText] = useState('')
  const [note, setNote] = useState<Note>(null)
  const chosenGroup = pact.can.reportFor.includes(group) ? group : (pact.can.reportFor[0] ?? '')
  const report = usePactWrite(pact, userId, () =>
    reportPactActivity(api, pact.id, { groupId: chosenGroup, note: text.trim() }),
  )
  const submit = async (event: FormEvent) => {
    event.preventDefault()
    setNote(null)
    try {
      await report.mutateAsync(undefined)
      setText('')
      setNote(() => (i18n: ScreenI18n<PactMessageKey>) => ({ ok: true, text: i18n.m('reported') }))
    } catch (failure) {
      setNote(() => (i18n: ScreenI18n<PactMessageKey>) => ({ ok: false, text: messageOf(i18n, failure) }))
    }
  }
  return (
    <section className="pact-section" aria-labelledby="pact-reports-title">
      <h2 id="pact-reports-title">{m('reports')}</h2>
      {reports.length === 0 ? (
        <p className="empty">{m('noReports')}</p>
      ) : (
        <ul className="pact-reports" data-testid="pact-reports">
          {reports.map((item) => (
            <li key={item.id} data-testid="pact-report">
              <strong>{item.groupId ? (titles[item.groupId] ?? m('thisGroup')) : m('thisGroup')}</strong>
              {' — '}
              {item.note} <time dateTime={item.at}>{messages.date(item.at)}</time>
            </li>
          ))}
        </ul>
      )}
      {pact.can.reportFor.length > 0 && (
        <form className="pact-form" onSubmit={submit} data-testid="pact-report-form">
          <div className="field">
            <label htmlFor="pact-report-group">{m('reportGroup')}</label>
            <select
              id="pact-report-group"
              value={chosenGroup}
              onChange={(event) => setGroup(event.target.value)}
              data-testid="pact-report-group"
            >
              {pact.can.reportFor.map((groupId) => (
                <option key={groupId} value={groupId}>
                  {titles[groupId] ?? m('thisGroup')}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="pact-report-note">{m('reportNote')}</label>
            <textarea
              id="pact-report-note"
              required
              rows={3}
              maxLength={5000}
              value={text}
              onChange={(event) => setText(event.target.value)}
              data-testid="pact-report-note"
            />
          </div>
          <button type="submit" disabled={report.isPending} data-testid="pact-report-file">
            {m('fileReport')}
          </button>
        </form>
      )}
      <FormMessage message={note?.(messages)} testId="pact-report-message" />
    </section>
  )
}

/** Every step and report, oldest first: who, what, when, and their note. */
function Timeline({ pact, titles }: { pact: Pact; titles: Record<string, string> }) {
  const messages = useMessages(pactMessages)
  const { m } = messages
  return (
    <section className="pact-section" aria-labelledby="pact-timeline-title">
      <h2 id="pact-timeline-title">{m('timeline')}</h2>
      <ol className="pact-timeline" data-testid="pact-timeline">
        {pact.history.map((item) => (
          <li key={item.id} data-testid="pact-event">
            <time dateTime={item.at}>{messages.dateTime(item.at)}</time>{' '}
            <span className="pact-event-what">{eventLine(messages, item, titles)}</span>
            {item.note && <span className="pact-event-note">{item.note}</span>}
          </li>
        ))}
      </ol>
    </section>
  )
}

function eventLine(
  i18n: ScreenI18n<PactMessageKey> & I18n,
  item: Pact['history'][number],
  titles: Record<string, string>,
): string {
  const who = item.actor.displayName
  if (item.type === 'report')
    return i18n.m('event.report', {
      who,
      group: item.groupId ? (titles[item.groupId] ?? i18n.m('thisGroup')) : i18n.m('thisGroup'),
    })
  if (!item.from) return i18n.m('event.proposed', { who })
  return i18n.m('event.moved', {
    who,
    from: i18n.t(`value.${item.from}` as MessageKey),
    to: i18n.t(`value.${item.to}` as MessageKey),
  })
}
