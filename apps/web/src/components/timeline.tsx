import { useI18n } from '../i18n/i18n'
import { entityKindList, kindStyle } from '../map/kinds'
import {
  changeUnit,
  formatWindow,
  type KindCounts,
  sameWindow,
  stepWindow,
  type TimeUnit,
  type TimeWindow,
  timeUnits,
  totalOf,
  windowOf,
  windowRange,
} from '../state/timeline'

export interface TimelineProps {
  window: TimeWindow | null
  reference: TimeWindow
  slots: TimeWindow[]
  counts: KindCounts[]
  truncated: boolean
  onChange(window: TimeWindow | null): void
}

/**
 * The bar under the map: a window of a day, a month or a year, stepped back and forth, with the slots around
 * it drawn as stacked bars of how many things of each kind exist in each.
 */
export function Timeline({ window, reference, slots, counts, truncated, onChange }: TimelineProps) {
  const i18n = useI18n()
  const { t } = i18n
  const max = Math.max(1, ...counts.map(totalOf))
  const label = (slot: TimeWindow, long = false) => {
    const { from } = windowRange(slot)
    switch (slot.unit) {
      case 'day':
        return long ? i18n.date(from, { dateStyle: 'full' }) : i18n.date(from, { day: 'numeric' })
      case 'month':
        return i18n.date(from, long ? { month: 'long', year: 'numeric' } : { month: 'short' })
      case 'year':
        return i18n.date(from, { year: 'numeric' })
    }
  }
  const unitLabel: Record<TimeUnit, string> = {
    day: t('timeline.day'),
    month: t('timeline.month'),
    year: t('timeline.year'),
  }
  return (
    <section className="timeline" aria-label={t('timeline.label')}>
      <div className="timeline-controls">
        <fieldset className="segmented">
          <legend className="visually-hidden">{t('timeline.unit')}</legend>
          <button
            type="button"
            aria-pressed={window === null}
            onClick={() => onChange(null)}
            data-testid="timeline-all"
          >
            {t('timeline.always')}
          </button>
          {timeUnits.map((unit) => (
            <button
              type="button"
              key={unit}
              aria-pressed={window?.unit === unit}
              data-testid={`timeline-unit-${unit}`}
              onClick={() => onChange(window ? changeUnit(window, unit) : windowOf(unit, new Date()))}
            >
              {unitLabel[unit]}
            </button>
          ))}
        </fieldset>
        <button
          type="button"
          className="step"
          aria-label={t('timeline.previous')}
          data-testid="timeline-previous"
          onClick={() => onChange(stepWindow(window ?? reference, -1))}
        >
          ‹
        </button>
        <output className="timeline-current" data-testid="timeline-current">
          {window ? label(window, true) : t('timeline.allTime')}
        </output>
        <button
          type="button"
          className="step"
          aria-label={t('timeline.next')}
          data-testid="timeline-next"
          onClick={() => onChange(stepWindow(window ?? reference, 1))}
        >
          ›
        </button>
      </div>
      <ol className="timeline-slots">
        {slots.map((slot, index) => {
          const slotCounts = counts[index] ?? {}
          const total = totalOf(slotCounts)
          const selected = sameWindow(slot, window)
          const title = `${label(slot, true)}: ${t('timeline.count', {
            count: `${i18n.number(total)}${truncated ? '+' : ''}`,
          })}`
          return (
            <li key={formatWindow(slot)}>
              <button
                type="button"
                className={selected ? 'slot selected' : 'slot'}
                aria-pressed={selected}
                aria-label={title}
                title={title}
                data-slot={formatWindow(slot)}
                onClick={() => onChange(selected ? null : slot)}
              >
                <span className="bar" aria-hidden="true">
                  {entityKindList.map((kind) =>
                    slotCounts[kind] ? (
                      <span
                        key={kind}
                        style={{
                          height: `${(100 * (slotCounts[kind] ?? 0)) / max}%`,
                          background: kindStyle[kind].color,
                        }}
                      />
                    ) : null,
                  )}
                </span>
                <span className="slot-label">{label(slot)}</span>
              </button>
            </li>
          )
        })}
      </ol>
    </section>
  )
}
