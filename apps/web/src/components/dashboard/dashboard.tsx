import type { Dashboard as Figures } from '@quartiere/contracts'
import { useQuery } from '@tanstack/react-query'
import { type FormEvent, useMemo, useState } from 'react'
import type { ApiClient } from '../../api/client'
import { dashboard } from '../../api/dashboard'
import type { MessageKey } from '../../i18n/dictionaries'
import { type ScreenI18n, useMessages } from '../../i18n/screen-messages'
import { queryKeys } from '../../queries/query-keys'
import { FormMessage } from '../form-message'
import { messageOf } from '../messages'
import { Chart, type ChartSeries } from './chart'
import { dashboardCsv } from './figures-csv'
import { dashboardMessages } from './messages'
import './dashboard.css'

/** The range shown first: this month and the five before it. */
const defaultMonths = 6

function monthName(date: Date): string {
  return `${date.getUTCFullYear()}-${String(date.getUTCMonth() + 1).padStart(2, '0')}`
}
function defaultRange() {
  const now = new Date()
  return {
    from: monthName(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - (defaultMonths - 1), 1))),
    to: monthName(now),
  }
}

type Messages = ScreenI18n<keyof typeof dashboardMessages.en>

/**
 * The organisers' dashboard: things put on the map per month by kind, people active per month, exchanges and
 * hours per month, pacts by status. Each chart (uPlot, loaded with this panel only) has a table with the same
 * figures for whoever does not see the chart, and all of them download as one CSV.
 */
export function NeighbourhoodDashboard({ api }: { api: ApiClient }) {
  const i18n = useMessages(dashboardMessages)
  const { m } = i18n
  const [range, setRange] = useState(defaultRange)
  const [draft, setDraft] = useState(range)
  const [problem, setProblem] = useState<string | null>(null)
  const figures = useQuery({
    queryKey: queryKeys.admin.dashboard(range.from, range.to),
    queryFn: ({ signal }) => dashboard(api, range.from, range.to, signal),
  })
  const submit = (event: FormEvent) => {
    event.preventDefault()
    if (!draft.from || !draft.to || draft.from > draft.to) {
      setProblem(m('badRange'))
      return
    }
    setProblem(null)
    setRange(draft)
  }
  const csvUrl = useMemo(
    () =>
      figures.data
        ? URL.createObjectURL(new Blob([dashboardCsv(figures.data)], { type: 'text/csv;charset=utf-8' }))
        : null,
    [figures.data],
  )
  return (
    <section className="dashboard" aria-labelledby="dashboard-title" data-testid="dashboard">
      <h2 id="dashboard-title">{m('title')}</h2>
      <p className="hint">{m('hint')}</p>
      <form className="row dashboard-range" onSubmit={submit} noValidate>
        <label className="dashboard-range-field">
          {m('from')}{' '}
          <input
            type="month"
            value={draft.from}
            onChange={(event) => setDraft((current) => ({ ...current, from: event.target.value }))}
            data-testid="dashboard-from"
          />
        </label>
        <label className="dashboard-range-field">
          {m('to')}{' '}
          <input
            type="month"
            value={draft.to}
            onChange={(event) => setDraft((current) => ({ ...current, to: event.target.value }))}
            data-testid="dashboard-to"
          />
        </label>
        <button type="submit" data-testid="dashboard-show">
          {m('show')}
        </button>
      </form>
      <FormMessage message={problem ?? (figures.error ? messageOf(i18n, figures.error) : null)} />
      {figures.isPending && <p className="hint">{i18n.t('common.loading')}</p>}
      {figures.data && csvUrl && (
        <>
          <p>
            <a
              href={csvUrl}
              download={`quartiere-dashboard-${figures.data.from}-${figures.data.to}.csv`}
              data-testid="dashboard-csv"
            >
              {m('download')}
            </a>
          </p>
          <DashboardFigures figures={figures.data} i18n={i18n} />
        </>
      )}
    </section>
  )
}

function DashboardFigures({ figures, i18n }: { figures: Figures; i18n: Messages }) {
  const { m, t } = i18n
  const months = figures.months.map((month) => month.month)
  const kinds = figures.kinds.filter((kind) => figures.months.some((month) => (month.things[kind] ?? 0) > 0))
  const kindName = (kind: string) => t(`kind.${kind}` as MessageKey)
  const thingSeries: ChartSeries[] = kinds.map((kind) => ({
    label: kindName(kind),
    values: figures.months.map((month) => month.things[kind] ?? 0),
  }))
  return (
    <>
      <Figure id="dashboard-things" title={m('things')} i18n={i18n} labels={months} series={thingSeries}>
        <thead>
          <tr>
            <th scope="col">{m('month')}</th>
            {kinds.map((kind) => (
              <th scope="col" key={kind}>
                {kindName(kind)}
              </th>
            ))}
            <th scope="col">{m('total')}</th>
          </tr>
        </thead>
        <tbody>
          {figures.months.map((month) => (
            <tr key={month.month}>
              <th scope="row">{month.month}</th>
              {kinds.map((kind) => (
                <td key={kind}>{i18n.number(month.things[kind] ?? 0)}</td>
              ))}
              <td>{i18n.number(Object.values(month.things).reduce((sum, count) => sum + count, 0))}</td>
            </tr>
          ))}
        </tbody>
      </Figure>
      <Figure
        id="dashboard-people"
        title={m('people')}
        i18n={i18n}
        labels={months}
        series={[{ label: m('activePeople'), values: figures.months.map((month) => month.activePeople) }]}
      >
        <thead>
          <tr>
            <th scope="col">{m('month')}</th>
            <th scope="col">{m('activePeople')}</th>
          </tr>
        </thead>
        <tbody>
          {figures.months.map((month) => (
            <tr key={month.month}>
              <th scope="row">{month.month}</th>
              <td>{i18n.number(month.activePeople)}</td>
            </tr>
          ))}
        </tbody>
      </Figure>
      <Figure
        id="dashboard-exchanges"
        title={m('exchanges')}
        i18n={i18n}
        labels={months}
        series={[
          { label: m('exchangeCount'), values: figures.months.map((month) => month.exchanges) },
          { label: m('hours'), values: figures.months.map((month) => Number(month.hours)) },
        ]}
      >
        <thead>
          <tr>
            <th scope="col">{m('month')}</th>
            <th scope="col">{m('exchangeCount')}</th>
            <th scope="col">{m('hours')}</th>
          </tr>
        </thead>
        <tbody>
          {figures.months.map((month) => (
            <tr key={month.month}>
              <th scope="row">{month.month}</th>
              <td>{i18n.number(month.exchanges)}</td>
              <td>{i18n.decimal(month.hours)}</td>
            </tr>
          ))}
        </tbody>
      </Figure>
      <Figure
        id="dashboard-pacts"
        title={m('pacts')}
        i18n={i18n}
        bars
        labels={figures.pactsByStatus.map((row) => t(`value.${row.status}` as MessageKey))}
        series={[{ label: m('count'), values: figures.pactsByStatus.map((row) => row.count) }]}
      >
        <thead>
          <tr>
            <th scope="col">{m('status')}</th>
            <th scope="col">{m('count')}</th>
          </tr>
        </thead>
        <tbody>
          {figures.pactsByStatus.map((row) => (
            <tr key={row.status}>
              <th scope="row">{t(`value.${row.status}` as MessageKey)}</th>
              <td>{i18n.number(row.count)}</td>
            </tr>
          ))}
        </tbody>
      </Figure>
    </>
  )
}

/** One figure: its title, the chart with a key of its series, and the table of the same numbers. */
function Figure({
  id,
  title,
  i18n,
  labels,
  series,
  bars = false,
  children,
}: {
  id: string
  title: string
  i18n: Messages
  labels: string[]
  series: ChartSeries[]
  bars?: boolean
  children: React.ReactNode
}) {
  return (
    <figure className="dashboard-figure" aria-labelledby={`${id}-title`} data-testid={id}>
      <h3 id={`${id}-title`}>{title}</h3>
      <Chart name={i18n.m('chartOf', { title })} labels={labels} series={series} bars={bars} />
      {series.length > 1 && (
        <ul className="dashboard-key" aria-hidden="true">
          {series.map((item, index) => (
            <li key={item.label} data-series={index}>
              {item.label}
            </li>
          ))}
        </ul>
      )}
      <div className="dashboard-table">
        <table data-testid={`${id}-table`}>
          <caption>{title}</caption>
          {children}
        </table>
      </div>
    </figure>
  )
}
