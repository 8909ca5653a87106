import type { ApiClient } from '../../api/client'
import { useMessages } from '../../i18n/screen-messages'
import { calendarMessages } from './messages'

export interface EventCalendarProps {
  api: ApiClient
  id: string
}

/** One event as a calendar file: the public feed answers it without a sign-in, so a plain link does. */
export function EventCalendar({ api, id }: EventCalendarProps) {
  const { m } = useMessages(calendarMessages)
  return (
    <p className="event-calendar">
      <a
        href={api.url('/api/events.ics', { id })}
        download={`quartiere-event-${id}.ics`}
        data-testid="event-ics"
      >
        {m('addEvent')}
      </a>
    </p>
  )
}
