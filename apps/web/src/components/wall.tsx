import type { EntityFeature } from '@quartiere/contracts'
import { useMemo, useState } from 'react'
import { useI18n } from '../i18n/i18n'
import { entityKindList, kindStyle } from '../map/kinds'
import { byRecentActivity } from '../state/entity-cache'

/** How many rows the wall draws at once; the rest is one click away (thousands of rows would stall a phone). */
export const wallRowsMax = 200

export interface WallProps {
  features: EntityFeature[]
  loading: boolean
  complete: boolean
  searching: boolean
  selected: string | null
  onSelect(id: string): void
}

/**
 * "What is here": the things in view, most recently active first, or as a plain list grouped by kind for
 * keyboard and screen-reader users (the same things the map shows, in reading order).
 */
export function Wall({ features, loading, complete, searching, selected, onSelect }: WallProps) {
  const i18n = useI18n()
  const { t } = i18n
  const [mode, setMode] = useState<'wall' | 'list'>('wall')
  const [shown, setShown] = useState(wallRowsMax)
  const sorted = useMemo(() => [...features].sort(byRecentActivity), [features])
  // Only the list view groups and sorts by title: with ten thousand things in view it is real work, and one
  // collator (rather than a locale lookup per comparison) keeps it short.
  const byKind = useMemo(() => {
    if (mode !== 'list') return []
    const collator = new Intl.Collator(i18n.locale)
    return entityKindList
      .map((kind) => ({
        kind,
        items: features
          .filter((feature) => feature.properties.kind === kind)
          .sort((a, b) => collator.compare(a.properties.title, b.properties.title)),
      }))
      .filter((group) => group.items.length > 0)
  }, [features, i18n.locale, mode])
  const count = i18n.number(features.length)
  return (
    <section className="wall" aria-label={t('wall.label')}>
      <div className="wall-header">
        <h2 aria-live="polite" data-testid="wall-count">
          {searching ? t('wall.results', { count }) : t('wall.inView', { count })}
          {!complete && ` (${t('wall.partial')})`}
          {loading && (
            <span className="spinner">
              <span className="visually-hidden">{t('wall.loading')}</span>
            </span>
          )}
        </h2>
        <fieldset className="segmented">
          <legend className="visually-hidden">{t('wall.mode')}</legend>
          <button type="button" aria-pressed={mode === 'wall'} onClick={() => setMode('wall')}>
            {t('wall.byActivity')}
          </button>
          <button
            type="button"
            aria-pressed={mode === 'list'}
            onClick={() => setMode('list')}
            data-testid="list-view"
          >
            {t('wall.list')}
          </button>
        </fieldset>
      </div>
      {features.length === 0 && !loading && <p className="empty">{t('wall.empty')}</p>}
      {mode === 'wall' ? (
        <ul className="wall-items">
          {sorted.slice(0, shown).map((feature) => (
            <li key={feature.id}>
              <button
                type="button"
                className={feature.id === selected ? 'wall-item selected' : 'wall-item'}
                onClick={() => onSelect(feature.id)}
              >
                <span
                  className="swatch"
                  style={{ background: kindStyle[feature.properties.kind].color }}
                  aria-hidden="true"
                />
                <span className="wall-title">{feature.properties.title}</span>
                <span className="wall-meta">
                  {t(`kind.${feature.properties.kind}`)} · {i18n.date(feature.properties.lastActivityAt)}
                </span>
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <div className="list-view">
          {byKind.map((group) => (
            <section key={group.kind} aria-labelledby={`list-${group.kind}`}>
              <h3 id={`list-${group.kind}`}>
                {t(`kind.${group.kind}`)} ({i18n.number(group.items.length)})
              </h3>
              <ul>
                {group.items.slice(0, shown).map((feature) => (
                  <li key={feature.id}>
                    <a
                      href={`?sel=${feature.id}`}
                      onClick={(event) => {
                        event.preventDefault()
                        onSelect(feature.id)
                      }}
                    >
                      {feature.properties.title}
                    </a>
                  </li>
                ))}
              </ul>
            </section>
          ))}
        </div>
      )}
      {features.length > shown && (
        <button type="button" className="more" onClick={() => setShown(shown + wallRowsMax)}>
          {t('wall.showMore', { count: i18n.number(features.length - shown) })}
        </button>
      )}
    </section>
  )
}
