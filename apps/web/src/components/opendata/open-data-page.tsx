import type { OpenDataCatalog } from '@quartiere/contracts'
import { useMutation, useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import type { ApiClient } from '../../api/client'
import { downloadLedgerFlows, openDataCatalog } from '../../api/opendata'
import { useMessages } from '../../i18n/screen-messages'
import type { PageProps } from '../../pages'
import { queryKeys } from '../../queries/query-keys'
import { FormMessage, type FormNote } from '../form-message'
import { messageOf } from '../messages'
import { CopyButton } from './copy-button'
import { openDataMessages } from './messages'
import { recipesFor } from './recipes'

/**
 * The open data page, for everyone: the addresses of this deployment's OGC API, tiles, exports and calendar with
 * their licence, as the API's catalog gives them, copy-paste recipes, and the ledger statistics for whom the API
 * says may have them.
 */
export function OpenDataPage({ api, user }: PageProps) {
  const i18n = useMessages(openDataMessages)
  const { m, t } = i18n
  const catalog = useQuery({
    queryKey: queryKeys.openData(user?.id ?? null),
    queryFn: () => openDataCatalog(api),
  })
  const data = catalog.data
  return (
    <main className="open-data" aria-labelledby="open-data-title" data-testid="open-data-page">
      <h1 id="open-data-title">{m('title')}</h1>
      <p>{m('intro')}</p>
      {!data ? (
        catalog.error ? (
          <FormMessage message={messageOf(i18n, catalog.error)} />
        ) : (
          <p className="hint">{t('common.loading')}</p>
        )
      ) : (
        <Catalog api={api} catalog={data} />
      )}
    </main>
  )
}

/** An address to copy, with its label. */
function Address({ id, label, value }: { id: string; label: string; value: string }) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <div className="copyable">
        <input id={id} className="copy-url" readOnly value={value} data-testid={id} />
        <CopyButton text={value} label={label} />
      </div>
    </div>
  )
}

function Catalog({ api, catalog }: { api: ApiClient; catalog: OpenDataCatalog }) {
  const { m } = useMessages(openDataMessages)
  return (
    <>
      <p data-testid="open-data-licence">
        {m('licence')}{' '}
        <a href={catalog.licence.url} rel="license noopener noreferrer" target="_blank">
          {catalog.licence.name}
        </a>{' '}
        — {catalog.licence.attribution}
      </p>
      <section className="account-section" aria-labelledby="od-ogc-title">
        <h2 id="od-ogc-title">{m('ogc')}</h2>
        <Address id="od-ogc-url" label={m('ogcUrl')} value={catalog.ogcLandingPage} />
        <p className="hint">{m('ogcHint')}</p>
      </section>
      <section className="account-section" aria-labelledby="od-tiles-title">
        <h2 id="od-tiles-title">{m('tiles')}</h2>
        <Address id="od-tile-template" label={m('tileTemplate')} value={catalog.tileTemplate} />
        <Address id="od-tilejson" label={m('tileJson')} value={catalog.tileJson} />
        <p className="hint">{m('tilesHint')}</p>
      </section>
      <section className="account-section" aria-labelledby="od-downloads-title">
        <h2 id="od-downloads-title">{m('downloads')}</h2>
        <p className="hint">{m('downloadsHint')}</p>
        <div className="table-scroll">
          <table className="statement" data-testid="od-exports">
            <thead>
              <tr>
                <th scope="col">{m('format')}</th>
                <th scope="col">{m('file')}</th>
                <th scope="col">{m('mediaType')}</th>
                <th scope="col">{m('fileLicence')}</th>
              </tr>
            </thead>
            <tbody>
              {catalog.exports.map((entry) => (
                <tr key={entry.format}>
                  <th scope="row">{entry.format.toUpperCase()}</th>
                  <td>
                    <a href={entry.url} download data-testid={`od-export-${entry.format}`}>
                      {m('downloadFormat', { format: entry.format.toUpperCase() })}
                    </a>
                  </td>
                  <td>
                    <code>{entry.mediaType}</code>
                  </td>
                  <td>{entry.licence}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <section className="account-section" aria-labelledby="od-calendar-title">
        <h2 id="od-calendar-title">{m('calendar')}</h2>
        <Address id="od-calendar-url" label={m('calendarUrl')} value={catalog.eventsCalendar} />
      </section>
      {catalog.ledgerFlows.offered && <Statistics api={api} />}
      <Recipes catalog={catalog} />
    </>
  )
}

function Statistics({ api }: { api: ApiClient }) {
  const i18n = useMessages(openDataMessages)
  const { m } = i18n
  const [note, setNote] = useState<FormNote | null>(null)
  const download = useMutation({ mutationFn: () => downloadLedgerFlows(api) })
  const start = async () => {
    setNote(null)
    try {
      setNote({ ok: true, text: m('statisticsSaved', { name: await download.mutateAsync() }) })
    } catch (failure) {
      setNote({ ok: false, text: messageOf(i18n, failure) })
    }
  }
  return (
    <section className="account-section" aria-labelledby="od-statistics-title" data-testid="od-statistics">
      <h2 id="od-statistics-title">{m('statistics')}</h2>
      <p className="hint">{m('statisticsHint')}</p>
      <button
        type="button"
        onClick={() => void start()}
        disabled={download.isPending}
        data-testid="od-statistics-download"
      >
        {m('statisticsDownload')}
      </button>
      <FormMessage message={note} />
    </section>
  )
}

function Recipes({ catalog }: { catalog: OpenDataCatalog }) {
  const { m } = useMessages(openDataMessages)
  return (
    <section className="account-section" aria-labelledby="od-recipes-title">
      <h2 id="od-recipes-title">{m('recipes')}</h2>
      <p className="hint">{m('recipesHint')}</p>
      {recipesFor(catalog).map((recipe) => (
        <figure key={recipe.id} className="recipe" data-testid={`od-recipe-${recipe.id}`}>
          <figcaption id={`od-recipe-${recipe.id}-title`}>{m(recipe.title)}</figcaption>
          <pre>
            <code>{recipe.code}</code>
          </pre>
          <CopyButton text={recipe.code} label={m(recipe.title)} />
        </figure>
      ))}
    </section>
  )
}
