import { lazy, Suspense } from 'react'
import type { CalendarControlProps } from './calendar-control'
import type { EventCalendarProps } from './event-calendar'

/**
 * The calendar controls load on demand: the map's first visit carries only these two wrappers, and the
 * controls' code and strings come when the side panel or an event first shows them.
 */
const LazyCalendarControl = lazy(() =>
  import('./calendar-control').then((module) => ({ default: module.CalendarControl })),
)
const LazyEventCalendar = lazy(() =>
  import('./event-calendar').then((module) => ({ default: module.EventCalendar })),
)

export function CalendarControl(props: CalendarControlProps) {
  return (
    <Suspense fallback={null}>
      <LazyCalendarControl {...props} />
    </Suspense>
  )
}

export function EventCalendar(props: EventCalendarProps) {
  return (
    <Suspense fallback={null}>
      <LazyEventCalendar {...props} />
    </Suspense>
  )
}
