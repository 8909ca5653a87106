import { lazy, Suspense, useState } from 'react'
import { useI18n } from '../../i18n/i18n'
import type { CalendarFeedLinksProps } from './calendar-control'
import type { EventCalendarProps } from './event-calendar'

/**
 * The calendar controls load on demand: the map's first visit carries only these wrappers and the control's
 * title; the links' code and strings come when a resident first opens the control, or when an event shows its
 * own. Fetching them with the first screen cost the map's first visit its drawing time (they competed with the
 * map's worker for the network and the main thread).
 */
const LazyCalendarFeedLinks = lazy(() =>
  import('./calendar-control').then((module) => ({ default: module.CalendarFeedLinks })),
)
const LazyEventCalendar = lazy(() =>
  import('./event-calendar').then((module) => ({ default: module.EventCalendar })),
)

export function CalendarControl(props: CalendarFeedLinksProps) {
  const { t } = useI18n()
  // Once opened, the links stay mounted (closing the control only hides them, as a details element does).
  const [opened, setOpened] = useState(false)
  return (
    <details
      className="calendar-control"
      data-testid="calendar-control"
      onToggle={(event) => {
        if (event.currentTarget.open) setOpened(true)
      }}
    >
      <summary>{t('calendar.inView')}</summary>
      {opened && (
        <Suspense fallback={<p className="hint">{t('common.loading')}</p>}>
          <LazyCalendarFeedLinks {...props} />
        </Suspense>
      )}
    </details>
  )
}

export function EventCalendar(props: EventCalendarProps) {
  return (
    <Suspense fallback={null}>
      <LazyEventCalendar {...props} />
    </Suspense>
  )
}
