import { useMessages } from '../../i18n/screen-messages'
import { type Bbox, clampBbox } from '../../state/entity-cache'
import { type TimeWindow, windowQuery } from '../../state/timeline'
import { CopyButton } from '../opendata/copy-button'
import { calendarMessages } from './messages'

export interface CalendarFeedLinksProps {
  bounds: Bbox | null
  window: TimeWindow | null
}

/** Four decimals of a degree are about 10 m: enough for an area's box, and the URLs stay readable. */
const bboxDecimals = 4

/**
 * The events in view as a calendar: a file of those in the map's box and time window, and a feed of the box to
 * subscribe to (without the window, so that the feed keeps bringing the area's new events). The body of the
 * side panel's calendar control (lazy.tsx), loaded when a resident first opens it.
 */
export function CalendarFeedLinks({ bounds, window: timeWindow }: CalendarFeedLinksProps) {
  const { m } = useMessages(calendarMessages)
  if (!bounds) return null
  const bbox = clampBbox(bounds)
    .map((value) => value.toFixed(bboxDecimals))
    .join(',')
  const feed = new URL('/api/events.ics', globalThis.location.href)
  feed.searchParams.set('bbox', bbox)
  const file = new URL(feed)
  if (timeWindow) {
    const { from, to } = windowQuery(timeWindow)
    file.searchParams.set('from', from)
    file.searchParams.set('to', to)
  }
  const webcal = feed.href.replace(/^https?:/, 'webcal:')
  return (
    <>
      <p>
        <a href={file.href} download="quartiere-events.ics" data-testid="calendar-download">
          {m('download')}
        </a>
      </p>
      <p>
        <a href={webcal} data-testid="calendar-subscribe">
          {m('subscribe')}
        </a>
      </p>
      <div className="field">
        <label htmlFor="calendar-feed-url">{m('feedUrl')}</label>
        <div className="copyable">
          <input
            id="calendar-feed-url"
            className="copy-url"
            readOnly
            value={feed.href}
            data-testid="calendar-feed-url"
          />
          <CopyButton text={feed.href} />
        </div>
      </div>
      <p className="hint">{m('feedHint')}</p>
    </>
  )
}
